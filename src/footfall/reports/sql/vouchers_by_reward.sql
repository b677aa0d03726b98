-- Redemption by reward: vouchers issued in the range (by local issue day in :tz), how many were
-- redeemed, the redemption rate (redeemed / issued), the median hours from issue to redemption
-- (over redeemed vouchers; null when none), and the value and cost of the redeemed ones.
-- Ordered by redeemed vouchers, most first. Filters: :campaign, :reward, :date_from, :date_to (or null).
with {{ filtered_vouchers() }},
final as (
    select
        reward_id,
        max(reward_name) as reward_name,
        max(campaign) as campaign,
        {{ redemption_figures() }}
    from filtered
    group by reward_id
)
select * from final
order by redeemed desc, reward_id
