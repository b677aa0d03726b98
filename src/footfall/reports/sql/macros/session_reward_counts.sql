-- session_reward_counts(sessions): of the HTTP-log sessions grouped, how many there are (named
-- `sessions`), how many issued a reward, and how many issued one driven by a campaign view.
count(*) as {sessions},
        count(*) filter (where rewards_issued_count > 0) as sessions_with_reward,
        count(*) filter (where reward_driven_by_campaign_view) as reward_driven_sessions
