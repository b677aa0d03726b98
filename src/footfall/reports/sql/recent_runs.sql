-- The most recent runs, newest first.
with ordered as (
    select run_id, command, status, started_at, duration_seconds,
           rows_read, rows_accepted, rows_rejected, rows_written, inputs, details
    from runs
),
final as (
    select * from ordered order by started_at desc limit :limit
)
select * from final
