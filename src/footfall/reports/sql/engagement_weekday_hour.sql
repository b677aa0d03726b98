-- Sessions started per local day of week (1 = Monday) and hour in :tz, all 7 x 24 cells (0 where none).
-- Parameters: :tz, :date_from, :date_to (local dates or null).
with sessions as (
    select session_start at time zone :tz as local_start
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
counts as (
    select
        cast(extract(isodow from local_start) as integer) as weekday,
        cast(extract(hour from local_start) as integer) as hour_of_day,
        count(*) as sessions
    from sessions
    group by 1, 2
),
cells as (
    select cast(d.weekday as integer) as weekday, cast(h.hour_of_day as integer) as hour_of_day
    from generate_series(1, 7) as d(weekday)
    cross join generate_series(0, 23) as h(hour_of_day)
),
final as (
    select
        c.weekday,
        case c.weekday when 1 then 'Mon' when 2 then 'Tue' when 3 then 'Wed' when 4 then 'Thu'
                       when 5 then 'Fri' when 6 then 'Sat' else 'Sun' end as weekday_name,
        c.hour_of_day as "hour",
        coalesce(n.sessions, 0) as sessions
    from cells c
    left join counts n on n.weekday = c.weekday and n.hour_of_day = c.hour_of_day
)
select * from final
order by weekday, "hour"
