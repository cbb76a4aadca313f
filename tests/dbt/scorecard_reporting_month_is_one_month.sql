-- The reporting month (the latest complete month with data at the as-of time) is one and the same
-- month in kpi_scorecard, kpi_client_scorecard and kpi_alerts, and there is one whenever a month
-- of the scorecard is complete. (That every catalogue KPI is computed is checked on the SQL by
-- tests/test_scorecard.py: a KPI whose extract is empty legitimately has no row.) Returns the
-- offenders.
with

scorecard as (

    select * from {{ ref('kpi_scorecard') }}

),

client_scorecard as (

    select * from {{ ref('kpi_client_scorecard') }}

),

alerts as (

    select * from {{ ref('kpi_alerts') }}

),

reporting_months as (

    select
        'kpi_scorecard' as model_name,
        month_start_on
    from scorecard
    where is_reporting_month

    union

    select
        'kpi_client_scorecard' as model_name,
        month_start_on
    from client_scorecard
    where is_reporting_month

    union

    select
        'kpi_alerts' as model_name,
        month_start_on
    from alerts
    where is_reporting_month

)

select
    'reporting_months_disagree' as check_name,
    cast(count(distinct month_start_on) as {{ dbt.type_string() }}) as subject
from reporting_months
having count(distinct month_start_on) > 1

union all

select
    'no_reporting_month' as check_name,
    cast(max(month_start_on) as {{ dbt.type_string() }}) as subject
from scorecard
having bool_or(is_month_complete) and not bool_or(is_reporting_month)
