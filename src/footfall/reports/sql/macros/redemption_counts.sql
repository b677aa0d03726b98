-- redemption_counts(): of the vouchers grouped, how many were issued and redeemed, and the
-- redemption rate (redeemed / issued).
count(*) as issued,
        count(*) filter (where status = 'redeemed') as redeemed,
        cast(count(*) filter (where status = 'redeemed') as double precision) / count(*) as redemption_rate
