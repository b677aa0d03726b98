-- HTTP sessions per user started up to :until (docs/ml.md#the-warehouse).
select user_id as customer_id, count(*) as sessions
from http_sessions
where session_start <= :until
group by user_id
