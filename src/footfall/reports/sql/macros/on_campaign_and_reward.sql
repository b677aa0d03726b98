-- on_campaign_and_reward(): a voucher is of campaign :campaign and reward :reward (either null: any).
(cast(:campaign as text) is null or campaign = cast(:campaign as text))
      and (cast(:reward as text) is null or reward_id = cast(:reward as text))
