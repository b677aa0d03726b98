-- Vouchers by user segment (most issued first; age bands in age order): :dimension is gender, age_band (age in the year of issue: under 25,
-- 25-34, 35-44, 45-54, 55+), country or city; 'unknown' where the export had no value.
-- users: distinct users issued a voucher; redemption_rate = redeemed / issued.
-- Filters: :campaign, :reward, :date_from, :date_to (local issue dates in :tz, or null).
with {{ filtered_vouchers() }},
aged as (
    select *, extract(year from issued_at at time zone :tz) - birth_year as age
    from filtered
),
segmented as (
    select
        user_id,
        status,
        coalesce(
            case cast(:dimension as text)
                when 'gender' then gender
                when 'country' then country
                when 'city' then city
                when 'age_band' then
                    case when age is null then null when age < 25 then 'under 25' when age < 35 then '25-34'
                         when age < 45 then '35-44' when age < 55 then '45-54' else '55+' end
            end,
            'unknown'
        ) as segment,
        case when cast(:dimension as text) <> 'age_band' then 0 when age is null then 6 when age < 25 then 1
             when age < 35 then 2 when age < 45 then 3 when age < 55 then 4 else 5 end as age_order
    from aged
),
final as (
    select
        segment,
        count(distinct user_id) as users,
        {{ redemption_counts() }},
        min(age_order) as age_order
    from segmented
    group by segment
)
select segment, users, issued, redeemed, redemption_rate from final
order by age_order, issued desc, segment
