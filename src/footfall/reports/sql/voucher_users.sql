-- Users with the most vouchers (for picking a user to recommend for), most first, among those
-- who have not redeemed every reward (a model leaves out what a user redeemed: someone who
-- redeemed everything has nothing left to be recommended). Parameter: :limit.
with per_user as (
    select
        user_id,
        count(*) as vouchers,
        count(*) filter (where status = 'redeemed') as redeemed
    from vouchers
    group by user_id
    having count(distinct case when status = 'redeemed' then reward_id end)
           < (select count(distinct reward_id) from vouchers where status = 'redeemed')
),
final as (
    select * from per_user order by vouchers desc, user_id limit :limit
)
select * from final
