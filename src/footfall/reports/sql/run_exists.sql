-- Whether a run committed: its row in `runs` is written in the run's own transaction.
select count(*) as n
from runs
where run_id = :run_id
