-- Daily COVID-19 cases of one location (matched without case), oldest first.
-- Parameter: :location.
with cases as (
    select location, "date", new_cases, total_cases
    from covid_cases
    where lower(location) = lower(cast(:location as text))
),
final as (
    select * from cases
)
select * from final
order by "date"
