-- weekday_hour_matrix(measure): the CTEs `counts`, `cells` and `final` that count the rows of a
-- CTE `local_times(local_ts)` per local day of week (1 = Monday) and hour, every one of the
-- 7 × 24 cells present (0 where none), as `weekday, weekday_name, hour, <measure>`.
counts as (
    select
        cast(extract(isodow from local_ts) as integer) as weekday,
        cast(extract(hour from local_ts) as integer) as hour_of_day,
        count(*) as n
    from local_times
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
        coalesce(n.n, 0) as {measure}
    from cells c
    left join counts n on n.weekday = c.weekday and n.hour_of_day = c.hour_of_day
)
