-- Rebuild customers from shop_sessions: one row per customer who has a session.
insert into customers
with per_session as (
    select
        customer_id, session_start, session_end, events, orders, has_order, session_index,
        min(case when has_order then session_index end) over (partition by customer_id) as first_order_index
    from shop_sessions
),
final as (
    select
        customer_id,
        min(session_start) as first_seen,
        max(session_end) as last_seen,
        count(*) as sessions,
        sum(events) as events,
        sum(orders) as orders,
        min(case when has_order then session_start end) as first_order_at,
        min(first_order_index) as sessions_before_first_order
    from per_session
    group by customer_id
)
select * from final
