-- The distinct statuses of the reward transactions (what `weekly` may count), alphabetical.
select distinct lower(status) as status
from reward_transaction
where status is not null
order by status
