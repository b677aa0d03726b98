-- The rewards the rewards page's reward filter offers: every voucher reward with its name.
select reward_id, max(reward_name) as reward_name
from vouchers
group by reward_id
order by reward_id
