-- Vouchers issued and redeemed per local ISO week (Monday start, :tz), every week between the
-- first and last present (0 where none), with the change against the previous calendar week in
-- percent, rounded to 2 decimals; null for the first week and after a week of 0 (undefined).
-- Filters: :campaign, :reward, :date_from, :date_to (local dates or null; they bound the weeks).
with filtered as (
    select issued_at, redeemed_at
    from vouchers
    where {{ on_campaign_and_reward() }}
),
events as (
    select cast(date_trunc('week', issued_at at time zone :tz) as date) as week_start, 1 as issued, 0 as redeemed
    from filtered
    union all
    select cast(date_trunc('week', redeemed_at at time zone :tz) as date), 0, 1
    from filtered where redeemed_at is not null
),
weekly as (
    select week_start, sum(issued) as issued, sum(redeemed) as redeemed
    from events
    where (cast(:date_from as date) is null or week_start >= cast(date_trunc('week', cast(:date_from as timestamp)) as date))
      and (cast(:date_to as date) is null or week_start <= cast(:date_to as date))
    group by week_start
),
{{ week_calendar(weekly) }},
filled as (
    select c.week_start, coalesce(w.issued, 0) as issued, coalesce(w.redeemed, 0) as redeemed
    from calendar c
    left join weekly w on w.week_start = c.week_start
),
with_previous as (
    select *,
        lag(issued) over (order by week_start) as previous_issued,
        lag(redeemed) over (order by week_start) as previous_redeemed
    from filled
),
final as (
    select
        week_start,
        cast(issued as bigint) as issued,
        cast(redeemed as bigint) as redeemed,
        cast(round(cast(100 * (issued - previous_issued) as numeric(38, 10)) / nullif(previous_issued, 0), 2)
             as double precision) as issued_pct_change,
        cast(round(cast(100 * (redeemed - previous_redeemed) as numeric(38, 10)) / nullif(previous_redeemed, 0), 2)
             as double precision) as redeemed_pct_change
    from with_previous
)
select * from final
order by week_start
