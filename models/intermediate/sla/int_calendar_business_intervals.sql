with

calendars as (

    select * from {{ ref('stg_psa__calendars') }}

),

holidays as (

    select * from {{ ref('stg_psa__holidays') }}

),

spine as (

    select * from {{ ref('int_sla_date_spine') }}

),

calendar_time_zones as (

    -- the contract repeats the time zone on every weekday row; a singular test checks they agree
    select
        calendar_id,
        max(timezone) as timezone
    from calendars
    group by calendar_id

),

calendar_days as (

    select
        calendar_time_zones.calendar_id,
        calendar_time_zones.timezone,
        spine.date_day as calendar_day_on,
        {{ iso_weekday('spine.date_day') }} as iso_weekday,
        cast(spine.date_day as {{ dbt.type_timestamp() }}) as local_midnight
    from calendar_time_zones
    cross join spine

),

calendar_days_with_hours as (

    select
        calendar_days.calendar_id,
        calendar_days.timezone,
        calendar_days.calendar_day_on,
        calendar_days.iso_weekday,
        calendar_days.local_midnight,
        holidays.holiday_name,
        holidays.holiday_on is not null as is_holiday,
        -- a weekday without a row is closed; a holiday closes the whole day
        coalesce(
            calendars.closing_minutes > calendars.opening_minutes and holidays.holiday_on is null,
            false
        ) as is_business_day,
        calendars.opening_minutes,
        calendars.closing_minutes
    from calendar_days
    left join calendars
        on
            calendar_days.calendar_id = calendars.calendar_id
            and calendar_days.iso_weekday = calendars.iso_weekday
    left join holidays
        on
            calendar_days.calendar_id = holidays.calendar_id
            and calendar_days.calendar_day_on = holidays.holiday_on

),

calendar_days_in_utc as (

    -- wall-clock times become UTC instants day by day, so each day gets its own UTC offset (DST)
    select
        calendar_id,
        timezone,
        calendar_day_on,
        iso_weekday,
        is_holiday,
        holiday_name,
        is_business_day,

        -- timestamps (UTC)
        {{ local_to_utc('local_midnight', 'timezone') }} as day_started_at,
        {{ local_to_utc(dbt.dateadd('day', 1, 'local_midnight'), 'timezone') }} as day_ended_at,
        case
            when is_business_day
                then {{ local_to_utc(dbt.dateadd('minute', 'opening_minutes', 'local_midnight'), 'timezone') }}
        end as opens_at,
        case
            when is_business_day
                then {{ local_to_utc(dbt.dateadd('minute', 'closing_minutes', 'local_midnight'), 'timezone') }}
        end as closes_at

    from calendar_days_with_hours

),

calendar_days_with_minutes as (

    select
        *,
        -- elapsed minutes between the UTC instants: 600 for 08:00-18:00 on any day, 1380 / 1500 for
        -- 00:00-24:00 on the spring / autumn DST day of a local-time 24x7 calendar
        case
            when is_business_day
                then greatest({{ dbt.datediff('opens_at', 'closes_at', 'minute') }}, 0)
            else 0
        end as business_minutes
    from calendar_days_in_utc

),

final as (

    select
        -- ids
        calendar_id,

        -- attributes
        timezone,
        iso_weekday,
        is_holiday,
        holiday_name,
        is_business_day,

        -- dates
        calendar_day_on,

        -- timestamps (UTC)
        day_started_at,
        day_ended_at,
        opens_at,
        closes_at,

        -- durations
        business_minutes,
        cast(sum(business_minutes) over (
            partition by calendar_id
            order by calendar_day_on
            rows between unbounded preceding and current row
        ) - business_minutes as {{ dbt.type_bigint() }}) as cumulative_business_minutes_before

    from calendar_days_with_minutes

)

select * from final
