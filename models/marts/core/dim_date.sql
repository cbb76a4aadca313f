with

clients as (

    select * from {{ ref('stg_psa__clients') }}

),

agreements as (

    select * from {{ ref('stg_psa__agreements') }}

),

invoice_lines as (

    select * from {{ ref('stg_psa__invoice_lines') }}

),

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

employees as (

    select * from {{ ref('stg_hr__employees') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

-- the earliest day any of the main entities mentions
data_dates as (

    select min(cast(created_at as date)) as first_on from clients
    union all
    select min(started_on) as first_on from agreements
    union all
    select min(invoiced_on) as first_on from invoice_lines
    union all
    select min(cast(created_at as date)) as first_on from tickets
    union all
    select min(hired_on) as first_on from employees
    union all
    select min(cast(created_at as date)) as first_on from leads

),

-- from January 1st of the first data year (the as-of year without data) to December 31st of the
-- as-of year
bounds as (

    select
        cast(
            {{ dbt.date_trunc('year', 'coalesce(min(first_on), ' ~ as_of_date() ~ ')') }} as date
        ) as first_day,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', as_of_date()))) }}
            as date
        ) as last_day
    from data_dates

),

spine as (

    {{ date_spine(
        start_date='(select bounds.first_day from bounds)',
        end_date='(select bounds.last_day from bounds)',
    ) }}

),

calendar as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_on,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_on,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_on,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_on,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as calendar_quarter,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as calendar_month,
        cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
        {{ iso_weekday('date_day') }} as iso_weekday
    from spine

),

final as (

    select
        -- dates
        date_day,
        week_start_on,
        month_start_on,
        quarter_start_on,
        year_start_on,

        -- parts
        calendar_year,
        calendar_quarter,
        calendar_month,
        day_of_month,
        iso_weekday,

        -- labels
        cast(calendar_year as {{ dbt.type_string() }})
        || '-' || lpad(cast(calendar_month as {{ dbt.type_string() }}), 2, '0') as month_label,
        cast(calendar_year as {{ dbt.type_string() }})
        || '-Q' || cast(calendar_quarter as {{ dbt.type_string() }}) as quarter_label,

        -- booleans
        iso_weekday >= 6 as is_weekend

    from calendar

)

select * from final
