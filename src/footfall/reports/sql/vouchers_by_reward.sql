-- Redemption by reward: vouchers issued in the range (by local issue day in :tz), how many were
-- redeemed, the redemption rate (redeemed / issued), the median hours from issue to redemption
-- (over redeemed vouchers; null when none), and the value and cost of the redeemed ones.
-- Ordered by redeemed vouchers, most first. Filters: :campaign, :reward, :date_from, :date_to (or null).
with filtered as (
    select *
    from vouchers
    where (cast(:campaign as text) is null or campaign = cast(:campaign as text))
      and (cast(:reward as text) is null or reward_id = cast(:reward as text))
      and {{ on_local_dates(issued_at) }}
),
final as (
    select
        reward_id,
        max(reward_name) as reward_name,
        max(campaign) as campaign,
        count(*) as issued,
        count(*) filter (where status = 'redeemed') as redeemed,
        cast(count(*) filter (where status = 'redeemed') as double precision) / count(*) as redemption_rate,
        cast(percentile_cont(0.5) within group (
                 order by case when status = 'redeemed' then extract(epoch from (redeemed_at - issued_at)) end
             ) as double precision) / 3600.0 as median_hours_to_redeem,
        cast(coalesce(sum(value) filter (where status = 'redeemed'), 0) as double precision) as redeemed_value,
        cast(coalesce(sum(cost) filter (where status = 'redeemed'), 0) as double precision) as redeemed_cost
    from filtered
    group by reward_id
)
select * from final
order by redeemed desc, reward_id
