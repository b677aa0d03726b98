-- Visits and time before the first order (docs/shop-schema.md → Order metrics).
-- For each customer with at least one session that holds a placed_order, the sessions
-- strictly before their first such session are their "visits before order".
--   median_visits_before_order: median over ordering customers of that count (0 included)
--   median_session_duration_minutes_before_order: median duration in minutes over all those
--     earlier sessions of all ordering customers (null when there are none)
-- Medians of an even count are the mean of the middle two (percentile_cont).
-- customers.first_order_at (the start of a customer's first session with an order) is written
-- with shop_sessions in the same transaction, so it only narrows the scan to ordering customers.
-- Optional :date_from / :date_to (local dates in :tz, null for no bound) keep the customers
-- whose first order session started on those dates; their earlier sessions count whenever they were.
with ordering_customers as (
    select customer_id, first_order_at
    from customers
    where first_order_at is not null
      and {{ on_local_dates(first_order_at) }}
),
sessions as (
    select
        s.customer_id,
        s.duration_seconds,
        s.session_start < o.first_order_at as before_first_order,
        count(*) filter (where s.session_start < o.first_order_at)
            over (partition by s.customer_id) as visits_before_order
    from shop_sessions s
    join ordering_customers o on o.customer_id = s.customer_id
),
visits as (
    select distinct customer_id, visits_before_order
    from sessions
),
final as (
    select
        {{ before_order_medians(sessions) }}
)
select * from final
