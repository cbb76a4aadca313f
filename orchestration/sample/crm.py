"""Marketing and sales: campaigns, daily web traffic, spend, sales costs, leads, opportunities.

The funnel is drawn from the traffic (about 3 % of visitors become leads, ~40 % of leads are
qualified, ~45 % of qualified leads become opportunities), and every client won inside the window
closes one opportunity, with its client_id, minutes before the client is created in the PSA:
acquisition cost per client and the funnel's last step line up with the client base.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .clients import INDUSTRIES, Client
from .clock import DAY, HOUR, MINUTE, Window, add_months, date_of, day_of, iso_day, iso_utc, weekday
from .deliveries import Versions
from .draws import poisson
from .hr import Staff
from .names import company_name, person_name, slug

CONVERSION = {
    "web": 0.022,
    "paid_search": 0.03,
    "email": 0.025,
    "referral": 0.09,
    "partner": 0.07,
    "event": 0.12,
}
WON_CHANNELS = {
    "referral": 0.3,
    "web": 0.2,
    "paid_search": 0.2,
    "partner": 0.15,
    "event": 0.1,
    "email": 0.05,
}
TRAFFIC_SEASON = {
    1: 1.1,
    2: 1.05,
    3: 1.05,
    4: 1.0,
    5: 0.95,
    6: 0.95,
    7: 0.8,
    8: 0.6,
    9: 1.15,
    10: 1.1,
    11: 1.0,
    12: 0.75,
}
TO_EUR = {"EUR": 1.0, "GBP": 1.17, "CHF": 1.06}


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    first_day: int
    end_day: int  # exclusive
    event_day: int | None = None

    def active(self, day: int) -> bool:
        return self.first_day <= day < self.end_day


def plan_campaigns(window: Window) -> list[Campaign]:
    first, end = window.first_day, window.end_day
    n = window.n
    drafts: list[tuple[int, int, str, str, int | None]] = [
        (first, end, "Google Ads - Infogérance PME", "paid_search", None),
        (first, end, "Programme de parrainage clients", "referral", None),
        (first, end, "Programme partenaires Microsoft", "partner", None),
        (
            window.first_days[min(n - 1, 3)],
            end,
            "Google Ads - Cybersécurité, NIS2",
            "paid_search",
            None,
        ),
    ]
    if n >= 2:
        start = window.first_days[n // 2]
        drafts.append(
            (
                start,
                window.first_days[min(n, n // 2 + 4)],
                "LinkedIn Ads - DSI mid-market",
                "paid_search",
                None,
            )
        )
    years = sorted({int(label[:4]) for label in window.labels})
    for year in years:
        for quarter in range(1, 5):
            q_first = day_of(date(year, 3 * quarter - 2, 1))
            y, m = add_months(year, 3 * quarter - 2, 3)
            q_end = day_of(date(y, m, 1))
            if q_first < end and q_end > first:
                drafts.append(
                    (
                        max(first, q_first),
                        min(end, q_end),
                        f"Newsletter T{quarter} {year}",
                        "email",
                        None,
                    )
                )
        for month, name in (
            (3, f"Salon IT Partners {year}"),
            (6, f"Petit-déjeuner clients, juin {year}"),
            (10, f"Forum Cybersécurité Lyon {year}"),
        ):
            month_first = day_of(date(year, month, 1))
            event_day = next(d for d in range(month_first + 7, month_first + 14) if weekday(d) == 3)
            if first <= event_day < end:
                drafts.append(
                    (max(first, event_day - 21), min(end, event_day + 10), name, "event", event_day)
                )
    drafts.sort(key=lambda draft: (draft[0], draft[2]))
    return [
        Campaign(f"CMP{number:03d}", name, channel, start, stop, event_day)
        for number, (start, stop, name, channel, event_day) in enumerate(drafts, start=1)
    ]


def campaign_rows(campaigns: list[Campaign]) -> list[dict[str, str]]:
    return [
        {"campaign_id": c.campaign_id, "campaign_name": c.name, "channel": c.channel}
        for c in campaigns
    ]


def _noisy(rng: random.Random, mean: float) -> int:
    return max(0, round(mean * rng.gauss(1, 0.15)))


def daily_traffic(
    rng: random.Random, campaigns: list[Campaign], window: Window, scale: float = 1.0
) -> list[tuple[int, str, Campaign | None, int]]:
    """(day, channel, campaign, visitors) for every day of the window.

    `scale` sizes the audience to the MSP (1.0 for the default 120 clients).
    """
    span = window.end_day - window.first_day
    result = []
    for day in range(window.first_day, window.end_day):
        week = {6: 0.45, 7: 0.35}.get(weekday(day), 1.0)
        d = date_of(day)
        season = TRAFFIC_SEASON[d.month]
        growth = 1 + 0.3 * (day - window.first_day) / span
        result.append((day, "web", None, _noisy(rng, 38 * week * season * growth * scale)))
        result.append((day, "referral", None, _noisy(rng, 5 * week * scale)))
        for c in campaigns:
            if not c.active(day):
                continue
            if c.channel == "paid_search":
                mean = (8 if "LinkedIn" in c.name else 14) * week * season
            elif c.channel == "referral":
                mean = 2 * week
            elif c.channel == "partner":
                mean = 3 * week
            elif c.channel == "email":
                send_day = weekday(day) == 2 and (d.day <= 7 or 15 <= d.day <= 21)
                after_send = weekday(day) == 3 and (2 <= d.day <= 8 or 16 <= d.day <= 22)
                mean = 90 if send_day else 30 if after_send else 4 * week
            else:
                near = c.event_day is not None and abs(day - c.event_day) <= 2
                mean = 12 * (2.5 if near else 1)
            visitors = _noisy(rng, mean * scale)
            if visitors:
                result.append((day, c.channel, c, visitors))
    return result


def traffic_rows(
    traffic: list[tuple[int, str, Campaign | None, int]], window: Window
) -> list[tuple[int, dict[str, str | None]]]:
    return [
        (
            window.month_of_day(day),
            {
                "traffic_date": iso_day(day),
                "channel": channel,
                "campaign_id": campaign.campaign_id if campaign else None,
                "visitors": str(visitors),
            },
        )
        for day, channel, campaign, visitors in traffic
    ]


@dataclass
class _Lead:
    created: int
    channel: str
    campaign: Campaign | None
    company: str | None
    email: str
    qualified: int | None = None
    client: Client | None = None
    lead_id: str = ""


def _contact(rng: random.Random, company: str | None, french: bool) -> str:
    first, last = person_name(rng, french)
    domain = f"{slug(company)[:30].strip('-')}.example" if company else "mail.example"
    return f"{slug(first, '.')}.{slug(last, '.')}@{domain}"


def _office_instant(rng: random.Random, day: int) -> int:
    return day * DAY + rng.randint(7 * HOUR, 18 * HOUR)


def plan_leads(
    rng: random.Random,
    traffic: list[tuple[int, str, Campaign | None, int]],
    campaigns: list[Campaign],
    clients: list[Client],
    window: Window,
) -> list[_Lead]:
    visitors: dict[tuple[int, str, str | None], list[tuple[int, int]]] = defaultdict(list)
    by_id = {c.campaign_id: c for c in campaigns}
    for day, channel, campaign, count in traffic:
        key = (window.month_of_day(day), channel, campaign.campaign_id if campaign else None)
        visitors[key].append((day, count))
    leads: list[_Lead] = []  # several leads may come from one company: names need not be unique
    for (_, channel, campaign_id), days in visitors.items():
        total = sum(count for _, count in days)
        for _ in range(poisson(rng, total * CONVERSION[channel])):
            day = rng.choices([d for d, _ in days], [c for _, c in days])[0]
            company = None
            if rng.random() < 0.88:
                country = "FR" if rng.random() < 0.8 else rng.choice(("BE", "CH", "GB"))
                company = company_name(rng, country, rng.choice(INDUSTRIES), set())
            leads.append(
                _Lead(
                    _office_instant(rng, day),
                    channel,
                    by_id[campaign_id] if campaign_id else None,
                    company,
                    _contact(rng, company, rng.random() < 0.8),
                )
            )
    for lead in leads:
        if rng.random() < 0.38:
            lead.qualified = lead.created + int(rng.lognormvariate(math.log(4 * DAY), 0.8))
    for client in clients:
        if not client.is_new:
            continue
        channel = rng.choices(list(WON_CHANNELS), list(WON_CHANNELS.values()))[0]
        created = client.created_t - rng.randint(30, 110) * DAY - rng.randint(0, 8 * HOUR)
        day = created // DAY
        active = [c for c in campaigns if c.channel == channel and c.active(day)]
        campaign = (
            rng.choice(active) if active and (channel != "referral" or rng.random() < 0.5) else None
        )
        lead = _Lead(
            created,
            channel,
            campaign,
            client.name,
            _contact(rng, client.name, client.language == "fr"),
            client=client,
        )
        lead.qualified = created + rng.randint(1, 10) * DAY + rng.randint(0, 4 * HOUR)
        leads.append(lead)
    leads.sort(key=lambda lead: (lead.created, lead.email))
    for number, lead in enumerate(leads, start=1):
        lead.lead_id = f"L{number:06d}"
    return leads


def lead_versions(leads: list[_Lead]) -> list[Versions]:
    result = []
    for lead in leads:
        row: dict[str, str | None] = {
            "lead_id": lead.lead_id,
            "created_at": iso_utc(lead.created),
            "channel": lead.channel,
            "campaign_id": lead.campaign.campaign_id if lead.campaign else None,
            "qualified_at": None,
            "company_name": lead.company,
            "contact_email": lead.email,
            "updated_at": iso_utc(lead.created),
        }
        versions: Versions = [(lead.created, row)]
        if lead.qualified is not None:
            qualified = {
                **row,
                "qualified_at": iso_utc(lead.qualified),
                "updated_at": iso_utc(lead.qualified),
            }
            versions.append((lead.qualified, qualified))
        result.append(versions)
    return result


@dataclass
class _Opportunity:
    created: int
    lead: _Lead
    amount: float
    currency: str
    stages: list[tuple[int, str]]  # (instant, stage) after "Discovery" at `created`
    closed: int | None = None
    won: bool | None = None
    opportunity_id: str = ""


def plan_opportunities(rng: random.Random, leads: list[_Lead]) -> list[_Opportunity]:
    result = []
    for lead in leads:
        if lead.qualified is None:
            continue
        client = lead.client
        if client is not None:
            created = lead.qualified + rng.randint(1, 7) * DAY
            closed = client.created_t - rng.randint(10, 120) * MINUTE
            proposal = created + int((closed - created) * rng.uniform(0.3, 0.6))
            won_at = client.created_t + rng.randint(5, 60) * MINUTE
            amount = client.onboarding_monthly or 400.0
            opportunity = _Opportunity(
                created,
                lead,
                round(amount * rng.uniform(0.9, 1.1), -1),
                client.currency,
                [(proposal, "Proposal"), (won_at, "Closed Won")],
                closed,
                True,
            )
        elif rng.random() < 0.45:
            created = lead.qualified + rng.randint(1, 10) * DAY
            amount = round(rng.uniform(400, 6_000), -1)
            stages: list[tuple[int, str]] = []
            if rng.random() < 0.6:
                stages.append((created + rng.randint(5, 20) * DAY, "Proposal"))
            closed = None
            won = None
            if rng.random() < 0.78:
                closed = created + rng.randint(25, 90) * DAY + rng.randint(0, 8 * HOUR)
                stages.append((closed, "Closed Lost"))
                won = False
            elif stages:
                stages.append((stages[-1][0] + rng.randint(10, 40) * DAY, "Negotiation"))
            opportunity = _Opportunity(created, lead, amount, "EUR", stages, closed, won)
        else:
            continue
        result.append(opportunity)
    result.sort(key=lambda o: (o.created, o.lead.lead_id))
    for number, opportunity in enumerate(result, start=1):
        opportunity.opportunity_id = f"OP{number:05d}"
    return result


def opportunity_versions(opportunities: list[_Opportunity]) -> list[Versions]:
    result = []
    for o in opportunities:
        row: dict[str, str | None] = {
            "opportunity_id": o.opportunity_id,
            "lead_id": o.lead.lead_id,
            "client_id": None,
            "created_at": iso_utc(o.created),
            "stage": "Discovery",
            "closed_at": None,
            "is_won": None,
            "amount": f"{o.amount:.2f}",
            "currency": o.currency,
            "updated_at": iso_utc(o.created),
        }
        versions: Versions = [(o.created, row)]
        for t, stage in o.stages:
            row = {**row, "stage": stage, "updated_at": iso_utc(t)}
            if stage.startswith("Closed") and o.closed is not None:
                row["closed_at"] = iso_utc(o.closed)
                row["is_won"] = "true" if o.won else "false"
                if o.won and o.lead.client is not None:
                    row["client_id"] = o.lead.client.client_id
            versions.append((t, row))
        result.append(versions)
    return result


def spend_rows(
    rng: random.Random,
    traffic: list[tuple[int, str, Campaign | None, int]],
    campaigns: list[Campaign],
    opportunities: list[_Opportunity],
    window: Window,
) -> list[tuple[int, dict[str, str | None]]]:
    """Month-end spend per channel and campaign, plus each event's cost on its day."""
    paid: dict[tuple[int, str], int] = defaultdict(int)
    for day, _, campaign, visitors in traffic:
        if campaign is not None and campaign.channel == "paid_search":
            paid[(window.month_of_day(day), campaign.campaign_id)] += visitors
    referrals: dict[int, int] = defaultdict(int)
    for o in opportunities:
        if o.won and o.closed is not None and o.lead.channel == "referral":
            referrals[window.month_of_day(o.closed // DAY)] += 1
    rows: list[tuple[int, int, dict[str, str | None]]] = []

    def add(day: int, channel: str, campaign: Campaign | None, amount: float) -> None:
        rows.append(
            (
                day,
                len(rows),
                {
                    "spend_date": iso_day(day),
                    "channel": channel,
                    "campaign_id": campaign.campaign_id if campaign else None,
                    "amount": f"{amount:.2f}",
                    "currency": "EUR",
                },
            )
        )

    referral_program = next((c for c in campaigns if c.channel == "referral"), None)
    for month in range(window.n):
        first, last = window.first_days[month], window.first_days[month + 1] - 1
        add(last, "web", None, 1_200 + rng.uniform(0, 400))
        add(last, "email", None, 149.0)
        for c in campaigns:
            if not (c.first_day <= last and c.end_day > first):
                continue
            if c.channel == "paid_search" and paid[(month, c.campaign_id)]:
                add(last, "paid_search", c, paid[(month, c.campaign_id)] * rng.uniform(2.8, 4.2))
            elif c.channel == "partner":
                add(last, "partner", c, 300.0)
            elif c.channel == "event" and c.event_day is not None and first <= c.event_day <= last:
                add(c.event_day, "event", c, rng.uniform(3_000, 9_000))
        if referrals.get(month) and referral_program is not None:
            add(last, "referral", referral_program, 500.0 * referrals[month])
    rows.sort(key=lambda row: (row[0], row[1]))
    return [(window.month_of_day(day), row) for day, _, row in rows]


def sales_cost_rows(
    staff: Staff, opportunities: list[_Opportunity], window: Window
) -> list[tuple[int, dict[str, str | None]]]:
    """Month-end salaries (sales staff plus half the head of sales), commissions, tools."""
    won: dict[int, float] = defaultdict(float)
    for o in opportunities:
        if o.won and o.closed is not None:
            won[window.month_of_day(o.closed // DAY)] += o.amount * TO_EUR.get(o.currency, 1.0)
    rows = []
    for month in range(window.n):
        last = window.first_days[month + 1] - 1
        middle = window.first_days[month] + 14
        sellers = len(staff.active("sales", middle))
        amounts = {
            "salaries": sellers * 5_200 + 0.5 * 7_000,
            "commissions": won.get(month, 0.0),
            "tools": 420 + 35 * sellers,
        }
        for category, amount in amounts.items():
            if amount > 0:
                rows.append(
                    (
                        month,
                        {
                            "cost_date": iso_day(last),
                            "category": category,
                            "amount": f"{amount:.2f}",
                            "currency": "EUR",
                        },
                    )
                )
    return rows
