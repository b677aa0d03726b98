-- Campaigns in HTTP-log sessions: sessions that viewed the campaign, how many of them issued a
-- reward, and how many issued a reward driven by a campaign view (attribution_rate = driven /
-- viewing sessions). Busiest campaigns first. Filters: :date_from, :date_to (local dates in :tz).
-- campaign: the campaign's name from the rewards export (table campaign, same ids), with its id
-- when two campaigns share a name; `campaign <id>` when no name is loaded.
with sessions as (
    select campaigns, rewards_issued_count, reward_driven_by_campaign_view
    from http_sessions
    where {{ on_local_dates(session_start) }}
),
viewed as (
    select unnest(campaigns) as campaign_id, rewards_issued_count, reward_driven_by_campaign_view
    from sessions
),
attributed as (
    select
        campaign_id,
        {{ session_reward_counts(viewing_sessions) }},
        cast(count(*) filter (where reward_driven_by_campaign_view) as double precision) / count(*)
            as attribution_rate
    from viewed
    group by campaign_id
),
final as (
    select
        a.campaign_id,
        {{ unique_label(c.name, a.campaign_id, campaign) }} as campaign,
        a.viewing_sessions,
        a.sessions_with_reward,
        a.reward_driven_sessions,
        a.attribution_rate
    from attributed a
    left join campaign c on c.id = a.campaign_id
)
select * from final
order by viewing_sessions desc, campaign_id
