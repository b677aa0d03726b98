-- Weekly reward performance: transactions of one status (default redeemed) per reward and
-- local ISO week (Monday start, report time zone). Weeks between a reward's first and last
-- counted week appear with 0; the change against the previous calendar week is a percentage
-- rounded to 2 decimals (half away from zero), null for a reward's first week and null when
-- the previous week had 0 (undefined, never 0 or infinity).
-- Filters: :date_from, :date_to (local dates in :tz of the transaction, or null), :reward (null
-- for every reward). :status is the status counted; the count column is status_count (the
-- report function names it <status>_count: redeemed_count for the default).
with counted as (
    select
        r.id as reward_id,
        r.reward_name,
        cast(date_trunc('week', t.updated_at at time zone :tz) as date) as week_start
    from reward_transaction t
    join reward_campaign r on r.id = t.reward_campaign_id
    where lower(t.status) = :status
      and (cast(:reward as text) is null or r.id = cast(:reward as text))
      and {{ on_local_dates(t.updated_at) }}
),
weekly as (
    select reward_id, reward_name, week_start, count(*) as status_count
    from counted
    group by 1, 2, 3
),
spans as (
    select reward_id, reward_name, min(week_start) as first_week, max(week_start) as last_week
    from weekly
    group by 1, 2
),
{{ week_calendar(weekly) }},
filled as (
    select s.reward_id, s.reward_name, c.week_start, coalesce(w.status_count, 0) as status_count
    from spans s
    join calendar c on c.week_start between s.first_week and s.last_week
    left join weekly w on w.reward_id = s.reward_id and w.week_start = c.week_start
),
with_previous as (
    select *, lag(status_count) over (partition by reward_id order by week_start) as previous_count
    from filled
),
final as (
    select
        reward_name,
        status_count,
        cast(round(cast(100 * (status_count - previous_count) as numeric(38, 10))
                   / nullif(previous_count, 0), 2) as double precision) as pct_change_vs_previous_week,
        week_start,
        reward_id
    from with_previous
)
select * from final
order by reward_name, reward_id, week_start
