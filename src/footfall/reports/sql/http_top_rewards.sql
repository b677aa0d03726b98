-- Rewards issued in HTTP-log sessions: the sessions that issued each reward and how many of those
-- were driven by a campaign view. Most issued first. Filters: :campaign (sessions that viewed it)
-- or null; :date_from, :date_to (local dates in :tz, or null).
with sessions as (
    select rewards_issued, reward_driven_by_campaign_view
    from http_sessions
    where (cast(:campaign as text) is null or array_position(campaigns, cast(:campaign as text)) is not null)
      and {{ on_local_dates(session_start) }}
),
issued as (
    select unnest(rewards_issued) as reward_id, reward_driven_by_campaign_view from sessions
),
final as (
    select
        reward_id,
        count(*) as sessions,
        count(*) filter (where reward_driven_by_campaign_view) as reward_driven_sessions
    from issued
    group by reward_id
)
select * from final
order by sessions desc, reward_id
