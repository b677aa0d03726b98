-- Engagement matrix: reward transactions of one campaign by local day of week (1 = Monday)
-- and hour, every one of the 7 x 24 cells present (0 where none), over a local date range.
-- Parameters: :campaign, :date_from, :date_to, :tz.
with {{ campaign_local_times() }},
{{ weekday_hour_matrix(transactions) }}
select * from final
order by weekday, "hour"
