-- Shop sessions per customer started up to :until (docs/ml.md#the-warehouse).
select customer_id, count(*) as sessions
from shop_sessions
where session_start <= :until
group by customer_id
