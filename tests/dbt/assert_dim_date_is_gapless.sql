-- dim_date holds every day between its first and last day, once, from a January 1st to a
-- December 31st.
select
    min(date_day) as first_day,
    max(date_day) as last_day,
    count(*) as day_count
from {{ ref('dim_date') }}
having
    count(*) <> 1 + (
        {{ dbt.datediff('min(date_day)', 'max(date_day)', 'day') }}
    )
    or extract(month from min(date_day)) <> 1
    or extract(day from min(date_day)) <> 1
    or extract(month from max(date_day)) <> 12
    or extract(day from max(date_day)) <> 31
