-- before_order_medians(sessions): the order metrics (docs/shop-schema.md → Order metrics) from the
-- CTE `visits(visits_before_order)` and the CTE `sessions(duration_seconds, before_first_order)`.
(select percentile_cont(0.5) within group (order by visits_before_order) from visits)
            as median_visits_before_order,
        (select percentile_cont(0.5) within group (order by duration_seconds)
         from {sessions} where before_first_order) / 60.0
            as median_session_duration_minutes_before_order
