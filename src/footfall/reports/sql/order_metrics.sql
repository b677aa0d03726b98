-- Visits and time before the first order (CONTRACTS.md → Order metrics).
-- For each customer with at least one session that holds a placed_order, the sessions
-- strictly before their first such session are their "visits before order".
--   median_visits_before_order: median over ordering customers of that count (0 included)
--   median_session_duration_minutes_before_order: median duration in minutes over all those
--     earlier sessions of all ordering customers (null when there are none)
-- Medians of an even count are the mean of the middle two (percentile_cont).
-- Optional :date_from / :date_to (UTC dates, null for no bound) keep the customers whose
-- first order session started on those dates; their earlier sessions count whenever they were.
with sessions as (
    select
        customer_id,
        session_start,
        duration_seconds,
        min(case when has_order then session_start end)
            over (partition by customer_id) as first_order_start
    from shop_sessions
),
ordering_customers as (
    select distinct customer_id, first_order_start
    from sessions
    where first_order_start is not null
      and (cast(:date_from as date) is null or first_order_start >= cast(:date_from as timestamp) at time zone 'UTC')
      and (cast(:date_to as date) is null
           or first_order_start < (cast(:date_to as timestamp) + interval '1 day') at time zone 'UTC')
),
sessions_before as (
    select s.customer_id, s.duration_seconds
    from sessions s
    join ordering_customers o on o.customer_id = s.customer_id
    where s.session_start < o.first_order_start
),
visits as (
    select o.customer_id, count(b.customer_id) as visits_before_order
    from ordering_customers o
    left join sessions_before b on b.customer_id = o.customer_id
    group by o.customer_id
),
final as (
    select
        (select percentile_cont(0.5) within group (order by visits_before_order) from visits)
            as median_visits_before_order,
        (select percentile_cont(0.5) within group (order by duration_seconds) from sessions_before) / 60.0
            as median_session_duration_minutes_before_order
)
select * from final
