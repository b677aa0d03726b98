-- Retention cohorts: users by the local ISO week (Monday start, :tz) of their first session ever;
-- for each later week k (0 = the cohort week), the users of the cohort active in week k and their
-- share of the cohort. Only weeks with at least one active cohort user appear.
-- Parameters: :tz, :date_from, :date_to (local dates or null; they select cohorts by their week start).
with active_weeks as (
    select distinct user_id, cast(date_trunc('week', session_start at time zone :tz) as date) as week_start
    from http_sessions
),
cohorts as (
    select user_id, min(week_start) as cohort_week from active_weeks group by user_id
),
sizes as (
    select cohort_week, count(*) as cohort_users from cohorts group by cohort_week
),
activity as (
    select
        c.cohort_week,
        cast(round((a.week_start - c.cohort_week) / 7.0) as integer) as week_number,
        count(*) as active_users
    from active_weeks a
    join cohorts c on c.user_id = a.user_id
    group by 1, 2
),
final as (
    select
        a.cohort_week,
        s.cohort_users,
        a.week_number,
        a.active_users,
        cast(a.active_users as double precision) / s.cohort_users as retention
    from activity a
    join sizes s on s.cohort_week = a.cohort_week
    where (cast(:date_from as date) is null or a.cohort_week >= cast(date_trunc('week', cast(:date_from as timestamp)) as date))
      and (cast(:date_to as date) is null or a.cohort_week <= cast(:date_to as date))
)
select * from final
order by cohort_week, week_number
