-- The contract repeats a calendar's time zone on each weekday row; the SLA calendar uses one per
-- calendar, so rows that disagree are an extract error to fix at the source.
select
    calendar_id,
    count(distinct timezone) as time_zone_count
from {{ ref('stg_psa__calendars') }}
group by calendar_id
having count(distinct timezone) > 1
