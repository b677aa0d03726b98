-- The campaigns the sessions page's campaign filter offers: the 50 viewed in most sessions, with
-- their names from the rewards export (table campaign, same ids) where loaded.
with viewed as (
    select unnest(campaigns) as campaign_id
    from http_sessions
),
counted as (
    select campaign_id, count(*) as sessions
    from viewed
    group by campaign_id
),
final as (
    select n.campaign_id, coalesce(c.name, 'campaign ' || n.campaign_id) as campaign, n.sessions
    from counted n
    left join campaign c on c.id = n.campaign_id
)
select * from final
order by sessions desc, campaign_id
limit 50
