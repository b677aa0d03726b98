-- Campaigns in HTTP-log sessions: sessions that viewed the campaign, how many of them issued a
-- reward, and how many issued a reward driven by a campaign view (attribution_rate = driven /
-- viewing sessions). Busiest campaigns first. Filters: :date_from, :date_to (local dates in :tz).
with sessions as (
    select campaigns, rewards_issued_count, reward_driven_by_campaign_view
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
viewed as (
    select unnest(campaigns) as campaign_id, rewards_issued_count, reward_driven_by_campaign_view
    from sessions
),
final as (
    select
        campaign_id,
        count(*) as viewing_sessions,
        count(*) filter (where rewards_issued_count > 0) as sessions_with_reward,
        count(*) filter (where reward_driven_by_campaign_view) as reward_driven_sessions,
        cast(count(*) filter (where reward_driven_by_campaign_view) as double precision) / count(*)
            as attribution_rate
    from viewed
    group by campaign_id
)
select * from final
order by viewing_sessions desc, campaign_id
