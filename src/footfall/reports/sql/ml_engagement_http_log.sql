-- Campaign views per user up to :until (docs/ml.md#the-warehouse).
select user_id as customer_id, count(*) as campaign_views
from http_log
where kind = 'campaign_view' and ts <= :until
group by user_id
