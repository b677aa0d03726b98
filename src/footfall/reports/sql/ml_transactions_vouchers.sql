-- Voucher redemptions as customer transactions (docs/ml.md#the-warehouse): amount = value, 1 when unknown.
select user_id as customer_id, redeemed_at as ts, coalesce(value, 1.0) as amount, 1 as quantity,
       'vouchers' as source_file, voucher_id as line
from vouchers
where redeemed_at is not null
