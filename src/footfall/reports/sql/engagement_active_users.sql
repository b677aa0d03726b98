-- Active users per local day or ISO week (Monday start) in :tz: users with a session starting then.
-- Sessions are the HTTP-log sessions (CONTRACTS.md → HTTP-log sessions report).
-- Parameters: :period ('day' or 'week'), :tz, :date_from, :date_to (local dates, null for no bound).
with sessions as (
    select user_id, session_start at time zone :tz as local_start
    from http_sessions
    where (cast(:date_from as date) is null or session_start >= cast(:date_from as timestamp) at time zone :tz)
      and (cast(:date_to as date) is null
           or session_start < (cast(:date_to as timestamp) + interval '1 day') at time zone :tz)
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
