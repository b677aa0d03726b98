-- The locations the COVID-19 page offers, alphabetical.
select distinct location
from covid_cases
order by location
