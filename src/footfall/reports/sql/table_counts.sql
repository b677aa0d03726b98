-- Rows in each table a pipeline loads, and in its rejects (Dagster's row-count and rejects-ratio
-- checks and asset metadata read these). rewards_rejects is split by the table a reject was meant for.
select 'http_sessions' as table_name, count(*) as n from http_sessions
union all select 'http_log', count(*) from http_log
union all select 'http_log_rejects', count(*) from http_log_rejects
union all select 'shop_sessions', count(*) from shop_sessions
union all select 'shop_events', count(*) from shop_events
union all select 'shop_events_rejects', count(*) from shop_events_rejects
union all select 'reward_transaction', count(*) from reward_transaction
union all select 'reward_transaction_rejects', count(*) from rewards_rejects where table_name = 'reward_transaction'
union all select 'members', count(*) from members
