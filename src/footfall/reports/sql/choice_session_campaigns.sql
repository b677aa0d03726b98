-- The campaigns the sessions page's campaign filter offers: the 50 viewed in most sessions.
with viewed as (
    select unnest(campaigns) as campaign_id
    from http_sessions
),
final as (
    select campaign_id, count(*) as sessions
    from viewed
    group by campaign_id
)
select * from final
order by sessions desc, campaign_id
limit 50
