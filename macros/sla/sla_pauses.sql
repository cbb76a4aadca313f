{#
    The pauses of the SLA clock from a relation of status changes (ticket_id, changed_at,
    is_sla_paused), as a complete select statement to wrap in a CTE. Written once because two
    models need it: int_ticket_sla_pauses over every status change, and int_ticket_sla_metrics on an
    incremental run over the status changes of the tickets it recomputes only (a window over the
    whole history would cost more than the rest of the run).

    A pause starts at the first of a run of paused statuses and lasts until the next change to a
    status that runs the clock, however many paused statuses come in between (waiting on client ->
    waiting on vendor -> in progress); null while it is still paused. With with_delivery_id, each
    pause also carries _delivery_id: the last delivery of its ticket's status changes (the relation
    then needs _delivery_id too).

    The window reads only the tickets with a paused status: a ticket that never paused has no
    pause, and the window sorts the whole history of the others. At 10 M tickets that is about a
    fifth of the 46 M status changes (int_ticket_sla_pauses alone: 9.5-9.8 s -> 5.0-5.1 s, the same
    2,733,291 pauses). The relation is read twice: a caller whose relation is a CTE over a large
    table inlines it (`inline_cte()`), or DuckDB copies it first.
#}
{% macro sla_pauses(status_changes, with_delivery_id=false) -%}
    select
        ticket_id,
        pause_started_at,
        pause_ended_at{% if with_delivery_id %},
        _delivery_id{% endif %}
    from (
        select
            ticket_id,
            changed_at as pause_started_at,
            is_sla_paused,
            lag(is_sla_paused) over (
                partition by ticket_id
                order by changed_at
            ) as was_sla_paused,
            min(case when not is_sla_paused then changed_at end) over (
                partition by ticket_id
                order by changed_at
                rows between 1 following and unbounded following
            ) as pause_ended_at{% if with_delivery_id %},
            -- the last delivery of the ticket's status changes, in the same window pass
            max(_delivery_id) over (partition by ticket_id) as _delivery_id{% endif %}
        from {{ status_changes }}
        where ticket_id in (
            select paused.ticket_id
            from {{ status_changes }} as paused
            where paused.is_sla_paused
        )
    ) as status_changes_in_order
    where is_sla_paused and not coalesce(was_sla_paused, false)
{%- endmacro %}
