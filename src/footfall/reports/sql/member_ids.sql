-- Every member's id, in order (the sales generator buys for them).
select membership_id
from members
order by membership_id
