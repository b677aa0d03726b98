-- Rewards issued in HTTP-log sessions: the sessions that issued each reward and how many of those
-- were driven by a campaign view. Most issued first. Filters: :campaign (sessions that viewed it)
-- or null; :date_from, :date_to (local dates in :tz, or null).
-- reward: the reward's name from the rewards export (table reward_campaign, same ids), with its id
-- when two rewards share a name; `reward <id>` when no name is loaded.
with sessions as (
    select rewards_issued, reward_driven_by_campaign_view
    from http_sessions
    where (cast(:campaign as text) is null or array_position(campaigns, cast(:campaign as text)) is not null)
      and {{ on_local_dates(session_start) }}
),
issued as (
    select unnest(rewards_issued) as reward_id, reward_driven_by_campaign_view from sessions
),
counted as (
    select
        reward_id,
        count(*) as sessions,
        count(*) filter (where reward_driven_by_campaign_view) as reward_driven_sessions
    from issued
    group by reward_id
),
final as (
    select
        n.reward_id,
        {{ unique_label(r.reward_name, n.reward_id, reward) }} as reward,
        n.sessions,
        n.reward_driven_sessions
    from counted n
    left join reward_campaign r on r.id = n.reward_id
)
select * from final
order by sessions desc, reward_id
