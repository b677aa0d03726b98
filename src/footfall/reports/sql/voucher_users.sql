-- Users with the most vouchers (for picking a user to recommend for), most first.
-- Parameter: :limit.
with per_user as (
    select
        user_id,
        count(*) as vouchers,
        count(*) filter (where status = 'redeemed') as redeemed
    from vouchers
    group by user_id
),
final as (
    select * from per_user order by vouchers desc, user_id limit :limit
)
select * from final
