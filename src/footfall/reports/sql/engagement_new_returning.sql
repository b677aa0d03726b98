-- New and returning users per local day in :tz. A user is new on the local day of their first
-- session ever (over all data, not only the range) and returning on every later day they are active.
-- Parameters: :tz, :date_from, :date_to (local dates or null).
with active_days as (
    select distinct user_id, cast(session_start at time zone :tz as date) as day
    from http_sessions
),
first_days as (
    select user_id, min(day) as first_day from active_days group by user_id
),
final as (
    select
        a.day,
        count(*) filter (where a.day = f.first_day) as new_users,
        count(*) filter (where a.day > f.first_day) as returning_users
    from active_days a
    join first_days f on f.user_id = a.user_id
    where (cast(:date_from as date) is null or a.day >= cast(:date_from as date))
      and (cast(:date_to as date) is null or a.day <= cast(:date_to as date))
    group by a.day
)
select * from final
order by day
