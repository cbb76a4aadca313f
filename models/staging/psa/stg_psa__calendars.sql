with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__calendars') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        calendar_id,

        -- attributes
        timezone,
        weekday as iso_weekday,
        opens_at as opening_time,
        closes_at as closing_time,

        -- durations
        cast(substr(opens_at, 1, 2) as {{ dbt.type_int() }}) * 60
        + cast(substr(opens_at, 4, 2) as {{ dbt.type_int() }}) as opening_minutes,
        cast(substr(closes_at, 1, 2) as {{ dbt.type_int() }}) * 60
        + cast(substr(closes_at, 4, 2) as {{ dbt.type_int() }}) as closing_minutes,

        -- lineage
        _source_file,
        _source_line,
        _delivery_id,
        _loaded_at

    from source

),

deduped as (

    {{ deduplicate(
        relation='renamed',
        partition_by='calendar_id, iso_weekday',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
