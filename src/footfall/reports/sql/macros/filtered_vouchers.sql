-- filtered_vouchers(): the CTE `filtered`: the vouchers of :campaign and :reward (either null: any)
-- issued on the local dates :date_from to :date_to in :tz.
filtered as (
    select *
    from vouchers
    where {{ on_campaign_and_reward() }}
      and {{ on_local_dates(issued_at) }}
)
