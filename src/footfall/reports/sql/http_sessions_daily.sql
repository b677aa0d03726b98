-- HTTP-log sessions per local day in :tz: sessions, sessions with a reward issued, and the
-- sessions whose reward was driven by a campaign view (docs/data-contracts.md → HTTP-log sessions report);
-- attribution_rate = reward-driven sessions / sessions with a reward issued (null when none).
-- Filters: :campaign (sessions that viewed it) or null; :date_from, :date_to (local dates or null).
with sessions as (
    select cast(session_start at time zone :tz as date) as day, rewards_issued_count, reward_driven_by_campaign_view
    from http_sessions
    where (cast(:campaign as text) is null or array_position(campaigns, cast(:campaign as text)) is not null)
      and {{ on_local_dates(session_start) }}
),
final as (
    select
        day,
        {{ session_reward_counts(sessions) }},
        cast(count(*) filter (where reward_driven_by_campaign_view) as double precision)
            / nullif(count(*) filter (where rewards_issued_count > 0), 0) as attribution_rate
    from sessions
    group by day
)
select * from final
order by day
