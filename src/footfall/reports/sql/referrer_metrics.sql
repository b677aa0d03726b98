-- Session length by referrer domain (the referrer of a session's first page view;
-- "(direct)" when it had none). Optional :date_from / :date_to bound session starts (local dates in :tz).
with sessions as (
    select referrer_domain, duration_seconds, has_order
    from shop_sessions
    where {{ on_local_dates(session_start) }}
),
final as (
    select
        referrer_domain as referrer,
        count(*) as sessions,
        cast(percentile_cont(0.5) within group (order by duration_seconds) as double precision) / 60.0
            as median_duration_minutes,
        cast(percentile_cont(0.9) within group (order by duration_seconds) as double precision) / 60.0
            as p90_duration_minutes,
        cast(avg(case when has_order then 1.0 else 0.0 end) as double precision) as order_rate
    from sessions
    group by referrer_domain
)
select * from final
order by sessions desc, referrer
