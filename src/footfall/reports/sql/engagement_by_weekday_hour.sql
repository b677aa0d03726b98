-- Engagement matrix: reward transactions of one campaign by local day of week (1 = Monday)
-- and hour, every one of the 7 x 24 cells present (0 where none), over a local date range.
-- Parameters: :campaign, :date_from, :date_to, :tz.
with bounds as (
    select
        cast(:date_from as timestamp) at time zone :tz as utc_from,
        (cast(:date_to as timestamp) + interval '1 day') at time zone :tz as utc_to
),
campaign_transactions as (
    select t.updated_at at time zone :tz as local_ts
    from reward_transaction t
    join reward_campaign r on r.id = t.reward_campaign_id
    cross join bounds b
    where r.campaign_id = :campaign
      and t.updated_at >= b.utc_from
      and t.updated_at < b.utc_to
),
counts as (
    select
        cast(extract(isodow from local_ts) as integer) as weekday,
        cast(extract(hour from local_ts) as integer) as hour_of_day,
        count(*) as transactions
    from campaign_transactions
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
        coalesce(n.transactions, 0) as transactions
    from cells c
    left join counts n on n.weekday = c.weekday and n.hour_of_day = c.hour_of_day
)
select * from final
order by weekday, "hour"
