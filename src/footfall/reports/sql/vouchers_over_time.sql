-- Vouchers issued and redeemed per local day in :tz: issued counts by issue day, redeemed by
-- redemption day. Filters: :campaign, :reward (reward id) or null for all; :date_from, :date_to
-- (local dates or null) bound the day shown.
with filtered as (
    select issued_at, redeemed_at
    from vouchers
    where {{ on_campaign_and_reward() }}
),
issued as (
    select cast(issued_at at time zone :tz as date) as day, count(*) as n from filtered group by 1
),
redeemed as (
    select cast(redeemed_at at time zone :tz as date) as day, count(*) as n
    from filtered where redeemed_at is not null group by 1
),
days as (
    select day from issued union select day from redeemed
),
final as (
    select d.day, coalesce(i.n, 0) as issued, coalesce(r.n, 0) as redeemed
    from days d
    left join issued i on i.day = d.day
    left join redeemed r on r.day = d.day
    where (cast(:date_from as date) is null or d.day >= cast(:date_from as date))
      and (cast(:date_to as date) is null or d.day <= cast(:date_to as date))
)
select * from final
order by day
