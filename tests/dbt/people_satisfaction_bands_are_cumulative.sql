-- The bands of kpi_satisfaction_turnover_bands are cumulative: the technicians (and departures) of
-- band b and above are the sum of those whose last score is exactly b, b + 1 ... 10; band 0 holds
-- every technician with an in-depth answer; one band at most is the tipping point, and it is the
-- tipping_point_band of kpi_turnover_vs_satisfaction. Returns the bands that disagree.
with

bands as (

    select * from {{ ref('kpi_satisfaction_turnover_bands') }}

),

cumulated as (

    select
        satisfaction_band,
        technician_count,
        departure_count,
        sum(band_technician_count) over (
            order by satisfaction_band desc rows between unbounded preceding and current row
        ) as summed_technician_count,
        sum(band_departure_count) over (
            order by satisfaction_band desc rows between unbounded preceding and current row
        ) as summed_departure_count
    from bands

),

tipping as (

    select
        count(case when is_tipping_point then 1 end) as tipping_row_count,
        max(case when is_tipping_point then satisfaction_band end) as tipping_band,
        max(tipping_point_band) as tipping_point_band
    from bands

),

monthly as (

    select distinct tipping_point_band
    from {{ ref('kpi_turnover_vs_satisfaction') }}

)

select
    'bands_are_cumulative' as check_name,
    satisfaction_band
from cumulated
where
    technician_count <> summed_technician_count
    or departure_count <> summed_departure_count

union all

select
    'one_tipping_point' as check_name,
    tipping.tipping_band as satisfaction_band
from tipping
where
    tipping.tipping_row_count > 1
    or coalesce(tipping.tipping_band, -1) <> coalesce(tipping.tipping_point_band, -1)

union all

select
    'monthly_mart_agrees' as check_name,
    monthly.tipping_point_band as satisfaction_band
from monthly
cross join tipping
where coalesce(monthly.tipping_point_band, -1) <> coalesce(tipping.tipping_point_band, -1)
