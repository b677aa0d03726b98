-- week_calendar(weeks): the CTE `calendar(week_start)`: every week from the first to the last
-- `week_start` of the CTE `weeks`, none missing.
calendar as (
    select cast(g.week_start as date) as week_start
    from generate_series(
        cast((select min(week_start) from {weeks}) as timestamp),
        cast((select max(week_start) from {weeks}) as timestamp),
        interval '7 days'
    ) as g(week_start)
)
