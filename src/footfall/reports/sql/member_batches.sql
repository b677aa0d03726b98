-- Membership application batches: one row per `members process` run that read applications,
-- oldest first, with its counts; `details` (JSON text) holds the batch id and reject reasons.
with batches as (
    select run_id, started_at, rows_read, rows_accepted, rows_rejected, details
    from runs
    where command = 'members process' and rows_read > 0
),
final as (
    select * from batches
)
select * from final
order by started_at
