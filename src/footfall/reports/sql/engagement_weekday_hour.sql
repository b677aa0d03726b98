-- Sessions started per local day of week (1 = Monday) and hour in :tz, all 7 x 24 cells (0 where none).
-- Parameters: :tz, :date_from, :date_to (local dates or null).
with local_times as (
    select session_start at time zone :tz as local_ts
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
{{ weekday_hour_matrix(sessions) }}
select * from final
order by weekday, "hour"
