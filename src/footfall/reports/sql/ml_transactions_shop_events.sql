-- Shop orders as customer transactions (docs/ml.md#the-warehouse): amount 1.
select customer_id, ts, 1.0 as amount, 1 as quantity, source_file, cast(line_number as text) as line
from shop_events
where type = 'placed_order'
