{#
    The two halves of the SLA clock lookup in int_ticket_sla_metrics, written once because five
    instants per ticket use them (created, first response, clock stop, pause start and end).

    instant_in_calendar_day: the join condition that finds the calendar day (a row of
    int_calendar_business_intervals listed under each UTC date it spans) containing an instant.
    The UTC date equality makes it a hash join; the range keeps the one local day that holds it.

    business_minute_offset: the business minutes of the calendar from its start up to the instant,
    given that day: the minutes before the day plus those of the day up to the instant, in whole
    minutes from the opening. Before opening the day adds nothing, after closing all of it: outside
    business hours the clock does not move. Null when no day was found.
#}
{% macro instant_in_calendar_day(calendar_day, calendar_id, instant) -%}
    {{ calendar_id }} = {{ calendar_day }}.calendar_id
    and cast({{ instant }} as date) = {{ calendar_day }}.utc_date_on
    and {{ instant }} >= {{ calendar_day }}.day_started_at
    and {{ instant }} < {{ calendar_day }}.day_ended_at
{%- endmacro %}

{% macro business_minute_offset(calendar_day, instant) -%}
    {{ calendar_day }}.cumulative_business_minutes_before
    + case
        when {{ calendar_day }}.business_minutes = 0 then 0
        else least(
            greatest({{ dbt.datediff(calendar_day ~ '.opens_at', instant, 'minute') }}, 0),
            {{ calendar_day }}.business_minutes
        )
    end
{%- endmacro %}
