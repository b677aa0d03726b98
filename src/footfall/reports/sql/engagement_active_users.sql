-- Active users per local day or ISO week (Monday start) in :tz: users with a session starting then.
-- Sessions are the HTTP-log sessions (docs/data-contracts.md → HTTP-log sessions report).
-- Parameters: :period ('day' or 'week'), :tz, :date_from, :date_to (local dates, null for no bound).
with sessions as (
    select user_id, session_start at time zone :tz as local_start
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
final as (
    select
        cast(date_trunc(cast(:period as text), local_start) as date) as period_start,
        count(distinct user_id) as active_users,
        count(*) as sessions
    from sessions
    group by 1
)
select * from final
order by period_start
