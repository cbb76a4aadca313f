"""`generate_sample`: the sample MSP's extract files, deterministic by seed.

Order matters only for readability: every part draws from its own random stream (seeded by
`seed` and the part's name), so changing one part never reshuffles another.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from orchestration.contract import load_contract

from . import crm, surveys
from .broken import plan_sabotages
from .calendar_days import build_calendars, calendar_rows, holiday_rows, sla_policy_rows
from .clients import agreement_versions, client_versions, endpoint_versions, plan_clients
from .clock import HOME_ZONE, Window, Zones, make_window, parse_month
from .deliveries import (
    Deliveries,
    SampleSummary,
    write_monthly,
    write_versioned_dimension,
    write_versioned_facts,
)
from .finance import fx_rows
from .hr import employee_versions, plan_staff, recruiting_cost_rows
from .psa import PsaMonths


def first_update_month(window: Window) -> int:
    """Mutable dimensions: `snapshot.csv` as of this month's start, then monthly updates."""
    return window.n - min(3, max(1, window.n // 4))


def generate_sample(
    out_dir: Path,
    *,
    clients: int = 120,
    months: int = 24,
    seed: int = 42,
    end_month: str = "2026-10",
    next_day_out: Path | None = None,
    ticket_scale: float = 1.0,
) -> SampleSummary:
    """Write the sample MSP's extracts under `out_dir/<system>/<entity>/` and describe them.

    Same arguments, same bytes: nothing depends on the clock or the machine. Each contract
    entity's folder is emptied first; anything else in `out_dir` is left alone.

    With `next_day_out`, the PSA's delivery of the day after the window (the 1st of the month
    after `end_month`) is also written there, `<system>/<entity>/<yyyy-mm-dd>.csv`, to be moved
    into `out_dir` later: one more day for the incremental benchmark. It comes from its own
    random stream, so the window's files are the same bytes with or without it.

    `ticket_scale` multiplies every client's ticket rate (tickets per managed endpoint and
    month): 1 is the sample's MSP, about 0.8 tickets per endpoint and month; the issue's
    10 M-ticket MSP of 2,000 clients and 60,000 endpoints over five years needs about 5.
    """
    out_dir = Path(out_dir)
    end_year, _ = parse_month(end_month)
    first_year = end_year - (months + 11) // 12 - 1
    zones = Zones(first_year - 10, end_year + 2)
    home = zones[HOME_ZONE]
    window = make_window(end_month, months, home)
    years = range(int(window.labels[0][:4]), end_year + 2)
    calendars = build_calendars(zones, years)
    first_update = first_update_month(window)

    def stream(name: str) -> random.Random:
        return random.Random(f"{seed}:{name}")

    deliveries = Deliveries(out_dir, load_contract(), plan_sabotages(window))
    deliveries.reset()

    staff = plan_staff(stream("staff"), window, clients, home)
    client_list = plan_clients(stream("clients"), clients, window, home, first_update)

    deliveries.write_file("psa/calendars", "snapshot.csv", calendar_rows())
    deliveries.write_file("psa/holidays", "snapshot.csv", holiday_rows(years))
    deliveries.write_file("psa/sla_policies", "snapshot.csv", sla_policy_rows())
    for key, versions in (
        ("psa/clients", client_versions(client_list, home)),
        ("psa/agreements", agreement_versions(client_list, home)),
        ("psa/endpoints", endpoint_versions(client_list)),
        ("hr/employees", employee_versions(staff)),
    ):
        write_versioned_dimension(deliveries, key, window, versions, first_update)

    psa = PsaMonths(
        stream("psa"),
        deliveries,
        window,
        home,
        zones,
        calendars,
        client_list,
        staff,
        keep_tail=next_day_out is not None,
        ticket_scale=ticket_scale,
    )
    psa.run()
    next_day = None
    if next_day_out is not None:
        day_deliveries = Deliveries(Path(next_day_out), deliveries.contract)
        day_deliveries.reset()
        psa.next_day(stream("next_day"), day_deliveries)
        next_day = day_deliveries.summary()
    write_monthly(
        deliveries,
        "hr/recruiting_costs",
        window,
        recruiting_cost_rows(stream("recruiting"), staff, window),
    )

    marketing = stream("crm")
    campaigns = crm.plan_campaigns(window)
    traffic = crm.daily_traffic(marketing, campaigns, window, scale=max(0.1, clients / 120))
    leads = crm.plan_leads(marketing, traffic, campaigns, client_list, window)
    opportunities = crm.plan_opportunities(marketing, leads)
    deliveries.write_file("crm/campaigns", "snapshot.csv", crm.campaign_rows(campaigns))
    write_monthly(deliveries, "crm/web_traffic", window, crm.traffic_rows(traffic, window))
    write_monthly(
        deliveries,
        "crm/marketing_spend",
        window,
        crm.spend_rows(marketing, traffic, campaigns, opportunities, window),
    )
    write_monthly(
        deliveries, "crm/sales_costs", window, crm.sales_cost_rows(staff, opportunities, window)
    )
    write_versioned_facts(deliveries, "crm/leads", window, crm.lead_versions(leads))
    write_versioned_facts(
        deliveries, "crm/opportunities", window, crm.opportunity_versions(opportunities)
    )

    write_monthly(
        deliveries,
        "surveys/client_surveys",
        window,
        surveys.client_survey_rows(stream("client_surveys"), client_list, window, home),
    )
    write_monthly(
        deliveries,
        "surveys/technician_pulse",
        window,
        surveys.pulse_rows(stream("pulse"), staff, window),
    )
    write_monthly(
        deliveries,
        "surveys/technician_surveys",
        window,
        surveys.technician_survey_rows(stream("technician_surveys"), staff, window, home),
    )
    deliveries.write_file(
        "surveys/maturity_assessments",
        "snapshot.csv",
        surveys.maturity_rows(stream("maturity"), window),
    )
    deliveries.write_file("finance/fx_rates", "snapshot.csv", fx_rows(stream("fx"), window))
    return replace(deliveries.summary(), next_day=next_day)
