-- redemption_figures(): the redemption counts, the median hours from issue to redemption (over
-- redeemed vouchers; null when none), and the value and cost of the redeemed vouchers.
{{ redemption_counts() }},
        cast(percentile_cont(0.5) within group (
                 order by case when status = 'redeemed' then extract(epoch from (redeemed_at - issued_at)) end
             ) as double precision) / 3600.0 as median_hours_to_redeem,
        cast(coalesce(sum(value) filter (where status = 'redeemed'), 0) as double precision) as redeemed_value,
        cast(coalesce(sum(cost) filter (where status = 'redeemed'), 0) as double precision) as redeemed_cost
