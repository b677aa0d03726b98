-- Engagement matrix: reward transactions of one campaign by local day of week (1 = Monday)
-- and hour, every one of the 7 x 24 cells present (0 where none), over a local date range.
-- Parameters: :campaign, :date_from, :date_to, :tz.
with local_times as (
    select t.updated_at at time zone :tz as local_ts
    from reward_transaction t
    join reward_campaign r on r.id = t.reward_campaign_id
    where r.campaign_id = :campaign
      and {{ on_local_dates(t.updated_at) }}
),
{{ weekday_hour_matrix(transactions) }}
select * from final
order by weekday, "hour"
