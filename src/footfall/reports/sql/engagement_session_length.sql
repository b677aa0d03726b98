-- Session length (last event minus first event) as a histogram of sessions per bucket:
-- 0 (one instant), under 1, 1-5, 5-15, 15-30, 30-60 minutes, 60+.
-- Parameters: :tz, :date_from, :date_to (local dates or null).
with sessions as (
    select extract(epoch from (session_end - session_start)) / 60.0 as minutes
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
bucketed as (
    select
        case when minutes = 0 then 1 when minutes < 1 then 2 when minutes < 5 then 3 when minutes < 15 then 4
             when minutes < 30 then 5 when minutes < 60 then 6 else 7 end as bucket_order
    from sessions
),
final as (
    select
        bucket_order,
        case bucket_order when 1 then '0 min' when 2 then '< 1 min' when 3 then '1-5 min' when 4 then '5-15 min'
                          when 5 then '15-30 min' when 6 then '30-60 min' else '60+ min' end as session_length,
        count(*) as sessions
    from bucketed
    group by bucket_order
)
select * from final
order by bucket_order
