-- Peak engagement: the local (date, hour) slots with the most reward transactions of one
-- campaign, in a date range given in the report time zone (both dates included).
-- Ties are all returned: a slot is kept when fewer than :top slots have more transactions.
-- Parameters: :campaign, :date_from, :date_to (dates), :tz (IANA zone), :top (>= 1).
with {{ campaign_local_times() }},
slots as (
    select
        cast(local_ts as date) as slot_date,
        cast(extract(hour from local_ts) as integer) as slot_hour,
        count(*) as transactions
    from local_times
    group by 1, 2
),
ranked as (
    select *, rank() over (order by transactions desc) as slot_rank
    from slots
),
final as (
    select transactions, slot_date as "date", slot_hour as "hour"
    from ranked
    where slot_rank <= :top
)
select * from final
order by transactions desc, "date", "hour"
