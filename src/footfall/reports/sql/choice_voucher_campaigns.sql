-- The campaigns the rewards page's campaign filter offers: every voucher campaign, alphabetical.
select distinct campaign
from vouchers
where campaign is not null
order by campaign
