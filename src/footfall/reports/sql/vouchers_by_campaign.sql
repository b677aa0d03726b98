-- Redemption by campaign: vouchers issued in the range (by local issue day in :tz), how many were
-- redeemed, the redemption rate (redeemed / issued), the median hours from issue to redemption
-- (over redeemed vouchers; null when none), and the value and cost of the redeemed ones.
-- Ordered by redeemed vouchers, most first. Filters: :campaign, :reward, :date_from, :date_to (or null).
with {{ filtered_vouchers() }},
final as (
    select
        campaign,
        count(distinct reward_id) as rewards,
        {{ redemption_figures() }}
    from filtered
    group by campaign
)
select * from final
order by redeemed desc, campaign
