-- One user's vouchers, newest first: the reward, its campaign, when issued and redeemed, status.
-- Parameters: :user_id, :limit.
with history as (
    select voucher_id, reward_id, reward_name, campaign, issued_at, redeemed_at, status, value
    from vouchers
    where user_id = cast(:user_id as text)
),
final as (
    select * from history order by issued_at desc, voucher_id limit :limit
)
select * from final
