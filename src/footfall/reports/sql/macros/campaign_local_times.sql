-- campaign_local_times(): the CTE `local_times(local_ts)`: the local time in :tz of each reward
-- transaction of campaign :campaign on the local dates :date_from to :date_to.
local_times as (
    select t.updated_at at time zone :tz as local_ts
    from reward_transaction t
    join reward_campaign r on r.id = t.reward_campaign_id
    where r.campaign_id = :campaign
      and {{ on_local_dates(t.updated_at) }}
)
