-- Vouchers issued per user up to :until and how many of them were redeemed by then (docs/ml.md#the-warehouse).
select user_id as customer_id, count(*) as vouchers_issued,
       sum(case when redeemed_at <= :until then 1 else 0 end) as vouchers_redeemed
from vouchers
where issued_at <= :until
group by user_id
