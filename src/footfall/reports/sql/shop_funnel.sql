-- The web-shop funnel over customer sessions: every session, those with a page view, those with
-- a product added to the cart, those with a placed order. share = sessions / all sessions.
-- Filters: :date_from, :date_to (local dates in :tz of the session start, or null).
with sessions as (
    select page_views, cart_adds, orders
    from shop_sessions
    where {{ on_local_dates(session_start) }}
),
steps as (
    select 1 as step_order, 'sessions' as step, count(*) as sessions from sessions
    union all
    select 2, 'viewed a page', count(*) from sessions where page_views > 0
    union all
    select 3, 'added to cart', count(*) from sessions where cart_adds > 0
    union all
    select 4, 'placed an order', count(*) from sessions where orders > 0
),
final as (
    select
        step_order,
        step,
        sessions,
        cast(sessions as double precision) / nullif(max(sessions) over (), 0) as share
    from steps
)
select * from final
order by step_order
