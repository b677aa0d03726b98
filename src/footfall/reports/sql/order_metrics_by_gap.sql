-- The order metrics (docs/shop-schema.md → Order metrics) as they would be with another session
-- gap :gap (an interval), computed straight from the events: the events of the sessions in the
-- warehouse (shop_events joined to shop_sessions; anonymous events are never sessionized) are
-- sessionized again here with window functions, by footfall's one definition (docs/sessions.md):
-- a customer's events ordered by instant form one session while each gap to the previous event
-- is strictly less than :gap; a gap of exactly :gap starts a new session. Events at the same
-- instant always share a session, so the order of ties (file order) does not matter here.
--   sessions: the customers' sessions with this gap
--   ordering_customers: customers with a session holding a placed_order (in the date range)
--   median_visits_before_order, median_session_duration_minutes_before_order: as order_metrics.sql
-- Optional :date_from / :date_to (local dates in :tz, null for no bound) keep the customers whose
-- first order session started on those dates; their earlier sessions count whenever they were.
-- Re-running `footfall shop sessions --gap` with the same gap gives the same figures from
-- order_metrics.sql (tests/reports/test_gap_sensitivity.py checks it on both warehouses).
with events as (
    select e.customer_id, e.ts, e.type
    from shop_events e
    where e.customer_id is not null
      and exists (select 1 from shop_sessions s where s.session_id = e.session_id)
),
flagged as (
    select
        customer_id,
        ts,
        type,
        case
            when lag(ts) over (partition by customer_id order by ts) is null then 1
            when ts - lag(ts) over (partition by customer_id order by ts) >= cast(:gap as interval) then 1
            else 0
        end as starts_session
    from events
),
numbered as (
    -- the default frame (range) gives every event at one instant the same running count
    select customer_id, ts, type, sum(starts_session) over (partition by customer_id order by ts) as session_no
    from flagged
),
sessions as (
    select
        customer_id,
        session_no,
        min(ts) as session_start,
        cast(extract(epoch from (max(ts) - min(ts))) as double precision) as duration_seconds,
        count(*) filter (where type = 'placed_order') > 0 as has_order
    from numbered
    group by customer_id, session_no
),
first_orders as (
    select customer_id, min(session_start) as first_order_at
    from sessions
    where has_order
    group by customer_id
),
ordering_customers as (
    select customer_id, first_order_at
    from first_orders
    where {{ on_local_dates(first_order_at) }}
),
before_order as (
    select s.customer_id, s.duration_seconds, s.session_start < o.first_order_at as before_first_order
    from sessions s
    join ordering_customers o on o.customer_id = s.customer_id
),
visits as (
    select customer_id, count(*) filter (where before_first_order) as visits_before_order
    from before_order
    group by customer_id
),
final as (
    select
        (select count(*) from sessions) as sessions,
        (select count(*) from visits) as ordering_customers,
        {{ before_order_medians(before_order) }}
)
select * from final
