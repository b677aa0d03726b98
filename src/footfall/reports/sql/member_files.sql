-- The membership inbox's processed files, as committed with their batches (members/batches.py).
select sha256, file_name, batch_id
from member_files
order by processed_at, batch_id, file_name
