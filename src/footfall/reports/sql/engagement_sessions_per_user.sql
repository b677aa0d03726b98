-- How many sessions each user had in the range, as a histogram of users per bucket
-- (1, 2, 3, 4, 5, 6-10, 11-20, 21+). Parameters: :tz, :date_from, :date_to (local dates or null).
with sessions as (
    select user_id
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
per_user as (
    select user_id, count(*) as sessions from sessions group by user_id
),
bucketed as (
    select
        case when sessions <= 5 then sessions when sessions <= 10 then 6 when sessions <= 20 then 7 else 8 end
            as bucket_order,
        sessions
    from per_user
),
final as (
    select
        bucket_order,
        case bucket_order when 6 then '6-10' when 7 then '11-20' when 8 then '21+'
                          else cast(bucket_order as text) end as sessions_per_user,
        count(*) as users
    from bucketed
    group by bucket_order
)
select * from final
order by bucket_order
