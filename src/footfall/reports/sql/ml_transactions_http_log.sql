-- Rewards issued to a user in the HTTP log as customer transactions (docs/ml.md#the-warehouse): amount 1.
select user_id as customer_id, ts, 1.0 as amount, 1 as quantity, source_file, cast(line_number as text) as line
from http_log
where kind = 'reward_issued'
