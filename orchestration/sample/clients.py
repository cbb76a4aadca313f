"""The client base: who the clients are, what they signed, which devices they have, and when.

The plan is made up front (it is small: one object per client, agreement and endpoint) and
drives every fact generator: tickets follow endpoints and service periods, invoices follow
agreements, won opportunities follow the clients created in the window.

Lifecycle stories, each drawn per client and guaranteed at least once when the window allows:
new clients in onboarding waves (January and September), upgrades (a new, bigger agreement
replaces the old one, whose end_date is set) and add-ons, a few contractions, churn (every
recurring agreement ended by non-renewal or cancelled), reactivation months after churn.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .calendar_days import LONDON, PARIS
from .clock import DAY, HOUR, Window, Zone, add_months, day_of, iso_day, iso_utc, weekday
from .deliveries import Versions
from .draws import poisson
from .hr import NEVER
from .names import _TEMPLATES, company_name

SEGMENTS = {"smb": (0.55, 5, 30), "mid_market": (0.35, 30, 90), "enterprise": (0.10, 90, 200)}
COUNTRIES = {"FR": 0.70, "BE": 0.08, "GB": 0.10, "CH": 0.07, "CA": 0.05}
COUNTRY_ZONES = {
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "GB": "Europe/London",
    "CA": "America/Toronto",
}
INDUSTRIES = tuple(_TEMPLATES["FR"])
# Relative chance of a client being won in each calendar month: bursts in January and September.
WAVES = {
    1: 2.6,
    2: 1.1,
    3: 1.0,
    4: 0.9,
    5: 0.9,
    6: 0.8,
    7: 0.5,
    8: 0.2,
    9: 2.6,
    10: 1.2,
    11: 0.9,
    12: 0.4,
}
UNIT_PRICE = {"workstation": 42.0, "server": 165.0, "network": 28.0, "mobile": 14.0, "other": 20.0}
SEGMENT_DISCOUNT = {"smb": 1.0, "mid_market": 0.92, "enterprise": 0.85}
CURRENCY_FACTOR = {"EUR": 1.0, "GBP": 0.86, "CHF": 0.96}
HOURLY_RATE = {"EUR": 95.0, "GBP": 85.0, "CHF": 110.0}
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}
ENDPOINT_TYPES = {
    "workstation": 0.70,
    "mobile": 0.13,
    "server": 0.08,
    "network": 0.07,
    "other": 0.02,
}
OPERATING_SYSTEMS = {
    "workstation": (
        ("Windows 11 Pro", 0.58),
        ("Windows 10 Pro", 0.24),
        ("macOS 15", 0.10),
        ("macOS 14", 0.06),
        ("Ubuntu 24.04", 0.02),
    ),
    "server": (
        ("Windows Server 2022", 0.45),
        ("Windows Server 2019", 0.25),
        ("Windows Server 2025", 0.10),
        ("Ubuntu 22.04", 0.12),
        ("Ubuntu 24.04", 0.08),
    ),
    "network": (("FortiOS 7.4", 0.45), ("Meraki MX 18", 0.30), ("UniFi OS 4", 0.25)),
    "mobile": (("iOS 18", 0.45), ("iOS 17", 0.15), ("Android 15", 0.25), ("Android 14", 0.15)),
    "other": (("Linux", 0.5), (None, 0.5)),
}


@dataclass(eq=False, slots=True)
class Endpoint:
    endpoint_id: str
    client_id: str
    endpoint_type: str
    os: str | None
    added_on: int  # day number
    retired_on: int | None
    added_t: int  # instant the RMM first reported it
    retired_t: int | None = None


@dataclass(eq=False, slots=True)
class Agreement:
    agreement_id: str
    client_id: str
    agreement_type: str
    billing_cycle: str
    amount: float  # per billing cycle
    currency: str
    start: int  # day number; recurring agreements start on the 1st of a month
    created_t: int
    end: int | None = None
    cancelled: int | None = None
    changed_t: int | None = None  # when end or cancelled was entered

    @property
    def is_recurring(self) -> bool:
        return self.billing_cycle in CYCLE_MONTHS

    def monthly_value(self) -> float:
        return self.amount / CYCLE_MONTHS.get(self.billing_cycle, 1)

    def active_on(self, day: int) -> bool:
        if day < self.start:
            return False
        if self.end is not None and day > self.end:
            return False
        return not (self.cancelled is not None and day >= self.cancelled)


@dataclass(eq=False)
class Client:
    client_id: str
    name: str
    segment: str
    industry: str
    country: str
    language: str
    currency: str
    calendar_id: str
    zone: str  # where the client's users work (ticket creation hours)
    created_t: int
    first_start: int  # day the first agreement starts
    is_new: bool  # won inside the window
    quality: str  # good, normal or bad: drives SLA, CSAT, NPS, escalations and churn
    response_factor: float
    ticket_rate: float  # tickets per managed endpoint and month, before seasonality
    block_hours_only: bool
    target_endpoints: int
    service: list[tuple[int, int]] = field(default_factory=list)  # [start, end) day periods
    agreements: list[Agreement] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    churned_on: int | None = None
    reactivated_on: int | None = None
    upgraded_on: int | None = None
    contracted_on: int | None = None
    renamed_t: int | None = None
    resegmented: tuple[int, str] | None = None  # (instant, new segment)
    onboarding_monthly: float = 0.0  # first managed-services MRR, in the client's currency

    def in_onboarding(self, day: int) -> bool:
        """Within 90 days of the start of a service period (the first, or a reactivation)."""
        return any(start <= day < start + 90 for start, _ in self.service)

    def served_days(self, first: int, end: int) -> list[int]:
        return [d for s, e in self.service for d in range(max(s, first), min(e, end))]


@dataclass
class _Story:
    """What happens to one client, decided before anything is built."""

    churn_month: int | None = None
    churn_by_cancellation: bool = False
    reactivation_month: int | None = None
    upgrade_month: int | None = None
    contraction_month: int | None = None
    addon_month: int | None = None
    project_months: list[int] = field(default_factory=list)
    block_months: list[int] = field(default_factory=list)
    cycle: str = "monthly"


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _business_instant(rng: random.Random, zone: Zone, day: int) -> int:
    return zone.at(day, rng.randint(9 * HOUR, 18 * HOUR - 1))


def plan_clients(
    rng: random.Random, count: int, window: Window, home: Zone, first_update_month: int
) -> list[Client]:
    if count < 1:
        raise ValueError("clients must be at least 1")
    share_new = min(0.45, 0.10 + 0.35 * window.n / 24) if window.n >= 2 else 0.0
    new = min(round(count * share_new), count - 1)
    first_year, first_month = int(window.labels[0][:4]), int(window.labels[0][5:7])

    drafts: list[tuple[int, int, bool]] = []
    for _ in range(count - new):
        year, month = add_months(first_year, first_month, -rng.randint(1, 96))
        start = day_of(date(year, month, 1))
        drafts.append((_business_instant(rng, home, start - rng.randint(7, 40)), start, False))
    month_weights = [WAVES[window.calendar_month(i)] for i in range(window.n)]
    for _ in range(new):
        month = rng.choices(range(window.n), month_weights)[0]
        day = rng.choice([d for d in window.days(month) if weekday(d) <= 5])
        drafts.append((_business_instant(rng, home, day), window.first_days[month + 1], True))
    drafts.sort()

    used_names: set[str] = set()
    clients = [
        _new_client(rng, number, created, start, is_new, used_names)
        for number, (created, start, is_new) in enumerate(drafts, start=1)
    ]
    _ensure_variety(clients)
    stories = [_story(rng, client, window) for client in clients]
    _ensure_stories(clients, stories, window)

    agreement_ids = iter(range(1, 10**9))
    endpoint_ids = iter(range(1, 10**9))
    for client, story in zip(clients, stories, strict=True):
        _build(rng, client, story, window, home, agreement_ids, endpoint_ids)
    _plan_renames(rng, clients, window, home, first_update_month)
    return clients


def _new_client(
    rng: random.Random, number: int, created: int, start: int, is_new: bool, used: set[str]
) -> Client:
    country = _weighted(rng, COUNTRIES)
    language = {
        "FR": "fr",
        "BE": "fr",
        "CH": "fr" if rng.random() < 0.55 else "en",
        "CA": "fr" if rng.random() < 0.6 else "en",
    }.get(country, "en")
    currency = {"GB": "GBP", "CH": "CHF" if rng.random() < 0.85 else "EUR"}.get(country, "EUR")
    segment = _weighted(rng, {name: spec[0] for name, spec in SEGMENTS.items()})
    _, low, high = SEGMENTS[segment]
    industry = rng.choice(INDUSTRIES)
    quality = _weighted(rng, {"good": 0.25, "normal": 0.65, "bad": 0.10})
    block_only = rng.random() < 0.06
    rate = rng.uniform(0.45, 0.8) * (1.3 if quality == "bad" else 1.0)
    return Client(
        client_id=f"C{number:04d}",
        name=company_name(rng, country, industry, used),
        segment=segment,
        industry=industry,
        country=country,
        language=language,
        currency=currency,
        calendar_id=LONDON if country == "GB" else PARIS,
        zone=COUNTRY_ZONES[country],
        created_t=created,
        first_start=start,
        is_new=is_new,
        quality=quality,
        response_factor={"good": 0.75, "normal": 1.0, "bad": 1.9}[quality]
        * rng.lognormvariate(0, 0.12),
        ticket_rate=rng.uniform(0.2, 0.35) if block_only else rate,
        block_hours_only=block_only,
        target_endpoints=rng.randint(low, high) if not block_only else rng.randint(3, 10),
    )


def _ensure_variety(clients: list[Client]) -> None:
    """Whatever the seed: a bad and a good client, and one billed in another currency."""
    if len(clients) >= 5 and not any(c.quality == "bad" for c in clients):
        clients[len(clients) // 2].quality = "bad"
        clients[len(clients) // 2].response_factor = 1.9
    if len(clients) >= 3 and not any(c.quality == "good" for c in clients):
        clients[1].quality, clients[1].response_factor = "good", 0.75
    if len(clients) >= 2 and all(c.currency == "EUR" for c in clients):
        client = clients[-2] if len(clients) > 2 else clients[0]
        client.country, client.currency, client.language = "GB", "GBP", "en"
        client.calendar_id, client.zone = LONDON, COUNTRY_ZONES["GB"]
    for client in clients:
        if client.block_hours_only:
            client.quality = "normal" if client.quality == "bad" else client.quality


def _story(rng: random.Random, client: Client, window: Window) -> _Story:
    story = _Story(cycle=rng.choices(["monthly", "quarterly", "annual"], [0.75, 0.18, 0.07])[0])
    n = window.n
    start_month = window.month_of_day(client.first_start)
    if start_month >= n:
        return story
    scale = n / 24
    earliest_churn = max(1, window.month_of_day(client.first_start + 180))
    churn_chance = (0.40 if client.quality == "bad" else 0.12) * scale
    if earliest_churn < n and rng.random() < churn_chance:
        story.churn_month = rng.randint(earliest_churn, n - 1)
        story.churn_by_cancellation = rng.random() < 0.4
        reactivable = not client.block_hours_only and story.churn_month + 3 <= n - 1
        if reactivable and rng.random() < 0.3:
            story.reactivation_month = rng.randint(
                story.churn_month + 3, min(n - 1, story.churn_month + 8)
            )
    last = story.churn_month if story.churn_month is not None else n
    earliest_change = max(0, window.month_of_day(client.first_start + 120))
    if not client.block_hours_only and earliest_change < last:
        if rng.random() < 0.2:
            story.upgrade_month = rng.randint(earliest_change, last - 1)
        elif rng.random() < 0.06:
            story.contraction_month = rng.randint(earliest_change, last - 1)
        if rng.random() < 0.2:
            story.addon_month = rng.randint(max(0, start_month), last - 1)
    first_active = max(0, start_month)
    if client.is_new and not client.block_hours_only and rng.random() < 0.55:
        story.project_months.append(start_month)
    if first_active < last and rng.random() < 0.12 * scale:
        story.project_months.append(rng.randint(first_active, last - 1))
    if client.block_hours_only or rng.random() < 0.1:
        month = first_active
        while month < last:
            story.block_months.append(month)
            month += rng.randint(4, 8)
    return story


def _ensure_stories(clients: list[Client], stories: list[_Story], window: Window) -> None:
    """At least one churned, one reactivated and one upgraded client when the window allows."""
    n = window.n
    old = [
        (c, s)
        for c, s in zip(clients, stories, strict=True)
        if not c.is_new and not c.block_hours_only
    ]
    if n >= 4 and old and not any(s.churn_month is not None for s in stories):
        _, story = old[0]
        story.churn_month, story.churn_by_cancellation = max(1, n // 4), True
        story.upgrade_month = story.contraction_month = story.addon_month = None
        story.project_months = [m for m in story.project_months if m < story.churn_month]
        story.block_months = [m for m in story.block_months if m < story.churn_month]
    if n >= 4 and not any(s.reactivation_month is not None for s in stories):
        churned = [
            s
            for c, s in zip(clients, stories, strict=True)
            if s.churn_month is not None and s.churn_month <= n - 2 and not c.block_hours_only
        ]
        if churned:
            story = churned[0]
            story.reactivation_month = min(n - 1, story.churn_month + 3)
    if n >= 3 and len(old) >= 2 and not any(s.upgrade_month is not None for s in stories):
        for _, story in old[1:]:
            if story.churn_month is None:
                story.upgrade_month, story.contraction_month = n // 2, None
                break


class _Devices:
    """Plans one client's endpoints: lifetimes, refreshes, growth, and the end of service."""

    def __init__(
        self, rng: random.Random, client: Client, window: Window, ids: Iterator[int]
    ) -> None:
        self.rng = rng
        self.client = client
        self.window = window
        self.ids = ids

    def add(self, day: int, endpoint_type: str | None = None, until: int = NEVER) -> None:
        """An endpoint from `day`, refreshed at end of life, retired at the latest on `until`."""
        rng = self.rng
        queue = [(day, endpoint_type or _weighted(rng, ENDPOINT_TYPES))]
        while queue:
            added, kind = queue.pop()
            if added >= self.window.end_day:
                continue
            retired: int | None = added + max(30, int(rng.expovariate(1 / 1_700)))
            if retired >= until:
                retired = until if until < NEVER else None
            elif rng.random() < 0.8:
                queue.append((max(added + 1, retired - rng.randint(0, 7)), kind))
            os_names, os_weights = zip(*OPERATING_SYSTEMS[kind], strict=True)
            added_t = added * DAY + rng.randint(1 * HOUR, 5 * HOUR)
            endpoint = Endpoint(
                endpoint_id=f"EP{next(self.ids):06d}",
                client_id=self.client.client_id,
                endpoint_type=kind,
                os=rng.choices(os_names, os_weights)[0],
                added_on=added,
                retired_on=retired,
                added_t=added_t,
            )
            if retired is not None:
                endpoint.retired_t = max(
                    retired * DAY + rng.randint(1 * HOUR, 5 * HOUR), added_t + HOUR
                )
            self.client.endpoints.append(endpoint)

    def retire_share(self, day: int, share: float) -> None:
        active = [e for e in self.client.endpoints if e.added_on <= day and _alive(e, day)]
        for endpoint in self.rng.sample(active, round(len(active) * share)):
            endpoint.retired_on = day
            endpoint.retired_t = max(day * DAY + 3 * HOUR, endpoint.added_t + HOUR)

    def active_count(self, day: int) -> int:
        return sum(1 for e in self.client.endpoints if e.added_on <= day and _alive(e, day))


def _alive(endpoint: Endpoint, day: int) -> bool:
    return endpoint.retired_on is None or endpoint.retired_on > day


def _build(
    rng: random.Random,
    client: Client,
    story: _Story,
    window: Window,
    home: Zone,
    agreement_ids: Iterator[int],
    endpoint_ids: Iterator[int],
) -> None:
    firsts = window.first_days
    churn = None
    if story.churn_month is not None:
        churn = firsts[story.churn_month]
        if story.churn_by_cancellation:
            churn += rng.randint(0, 20)
    reactivation = None
    if story.reactivation_month is not None:
        reactivation = firsts[story.reactivation_month]
    client.churned_on, client.reactivated_on = churn, reactivation
    client.service = [(client.first_start, churn if churn is not None else NEVER)]
    if reactivation is not None:
        client.service.append((reactivation, NEVER))

    devices = _Devices(rng, client, window, endpoint_ids)
    initial = max(2, round(client.target_endpoints * rng.uniform(0.75, 0.9)))
    until = churn if churn is not None else NEVER
    for _ in range(initial):
        if client.is_new:
            day = client.first_start - rng.randint(0, 10)
        else:
            day = rng.randint(client.first_start, window.first_day - 1)
        devices.add(day, until=until)
    months_served = len(client.served_days(window.first_day, window.end_day)) / 30
    for _ in range(poisson(rng, client.target_endpoints * 0.006 * months_served)):
        days = client.served_days(max(client.first_start, window.first_day), window.end_day)
        if days:
            devices.add(rng.choice(days), until=until)

    def agreement(kind: str, cycle: str, amount: float, start: int) -> Agreement:
        created = _business_instant(rng, home, start - rng.randint(5, 20))
        item = Agreement(
            agreement_id=f"AG{next(agreement_ids):05d}",
            client_id=client.client_id,
            agreement_type=kind,
            billing_cycle=cycle,
            amount=round(amount, 2),
            currency=client.currency,
            start=start,
            created_t=max(created, client.created_t + HOUR),
        )
        client.agreements.append(item)
        return item

    def monthly_fee() -> float:
        day = max(client.first_start, window.first_day)
        total = sum(
            UNIT_PRICE[e.endpoint_type]
            for e in client.endpoints
            if e.added_on <= day + 10 and _alive(e, day)
        )
        value = total * SEGMENT_DISCOUNT[client.segment] * CURRENCY_FACTOR[client.currency]
        return max(150.0, round(value / 5) * 5)

    def per_cycle(monthly: float, cycle: str) -> float:
        factor = {"monthly": 1.0, "quarterly": 3.0, "annual": 12 * 0.95}[cycle]
        return round(monthly * factor, 2)

    def end_agreement(item: Agreement, last_day: int, notice: int) -> None:
        item.end = last_day
        item.changed_t = max(_business_instant(rng, home, last_day - notice), item.created_t + HOUR)

    managed: list[Agreement] = []
    if not client.block_hours_only:
        fee = monthly_fee()
        client.onboarding_monthly = fee
        current = agreement(
            "managed_services", story.cycle, per_cycle(fee, story.cycle), client.first_start
        )
        managed.append(current)
        change = story.upgrade_month if story.upgrade_month is not None else story.contraction_month
        if change is not None:
            day = firsts[change]
            if story.upgrade_month is not None:
                factor = rng.uniform(1.15, 1.4)
                client.upgraded_on = day
                grown = round(devices.active_count(day) * rng.uniform(0.1, 0.3))
                for _ in range(grown):
                    devices.add(day + rng.randint(-10, 10), until=until)
                if client.segment == "smb" and devices.active_count(day + 15) > 30:
                    client.resegmented = (_business_instant(rng, home, day), "mid_market")
            else:
                factor = rng.uniform(0.75, 0.9)
                client.contracted_on = day
                devices.retire_share(day + rng.randint(0, 10), 0.15)
            end_agreement(current, day - 1, rng.randint(15, 30))
            current = agreement(
                "managed_services", current.billing_cycle, round(current.amount * factor, 2), day
            )
            managed.append(current)
        if story.addon_month is not None:
            addon = rng.uniform(60, 450) * CURRENCY_FACTOR[client.currency]
            managed.append(
                agreement(
                    "other",
                    "monthly",
                    round(addon, 0),
                    max(client.first_start, firsts[story.addon_month]),
                )
            )
    for month in story.project_months:
        amount = rng.uniform(2_500, 15_000) * (1 + 2 * (client.segment == "enterprise"))
        project = agreement(
            "project",
            "one_time",
            amount * CURRENCY_FACTOR[client.currency],
            max(firsts[month], client.first_start),
        )
        project.end = project.start + rng.randint(20, 90)
    for month in story.block_months:
        hours = rng.choice((10, 20, 40))
        block = agreement(
            "block_hours",
            "one_time",
            hours * HOURLY_RATE[client.currency],
            max(firsts[month], client.first_start),
        )
        block.end = block.start + 364

    if churn is not None:
        for item in client.agreements:
            if not item.is_recurring or (item.end is not None and item.end < churn):
                continue
            if story.churn_by_cancellation:
                item.cancelled = churn
                item.changed_t = max(_business_instant(rng, home, churn), item.created_t + HOUR)
            else:
                end_agreement(item, churn - 1, rng.randint(30, 60))
        for item in client.agreements:  # open blocks and projects end with the relationship
            if not item.is_recurring and item.end is not None and item.end >= churn:
                item.end = max(item.start, churn - 1)
    if reactivation is not None:
        for _ in range(max(2, round(client.target_endpoints * 0.8))):
            devices.add(reactivation - rng.randint(0, 7))
        monthly = client.onboarding_monthly * rng.uniform(0.9, 1.1)
        if not client.block_hours_only:
            agreement("managed_services", "monthly", round(monthly / 5) * 5, reactivation)
    client.agreements.sort(key=lambda a: (a.start, a.agreement_id))


def _plan_renames(
    rng: random.Random, clients: list[Client], window: Window, home: Zone, first_update: int
) -> None:
    """A few clients renamed in the last months, so the client updates file has work to do."""
    if first_update >= window.n:
        return
    candidates = [c for c in clients if not c.is_new and c.churned_on is None]
    for client in candidates[:: max(1, len(candidates) // 3)][:3]:
        month = rng.randint(first_update, window.n - 1)
        days = [d for d in window.days(month) if weekday(d) <= 5]
        client.renamed_t = _business_instant(rng, home, rng.choice(days))


def renamed(name: str, language: str) -> str:
    """The name after a merger: 'Groupe Martin Industries', 'Harper & Cole Group'."""
    return f"Groupe {name}" if language == "fr" else f"{name} Group"


def client_versions(clients: list[Client], home: Zone) -> Iterator[Versions]:
    for client in clients:
        row: dict[str, str | None] = {
            "client_id": client.client_id,
            "client_name": client.name,
            "segment": client.segment,
            "industry": client.industry,
            "country": client.country,
            "language": client.language,
            "currency": client.currency,
            "created_at": home.iso(client.created_t),
            "updated_at": home.iso(client.created_t),
        }
        changes: list[tuple[int, dict[str, str]]] = []
        if client.resegmented is not None:
            changes.append((client.resegmented[0], {"segment": client.resegmented[1]}))
        if client.renamed_t is not None:
            changes.append(
                (client.renamed_t, {"client_name": renamed(client.name, client.language)})
            )
        versions: Versions = [(client.created_t, row)]
        for t, change in sorted(changes, key=lambda item: item[0]):
            row = {**row, **change, "updated_at": home.iso(t)}
            versions.append((t, row))
        yield versions


def agreement_versions(clients: list[Client], home: Zone) -> Iterator[Versions]:
    """Every agreement's versions, in agreement id order."""
    items = sorted((a for c in clients for a in c.agreements), key=lambda a: a.agreement_id)
    for item in items:
        row: dict[str, str | None] = {
            "agreement_id": item.agreement_id,
            "client_id": item.client_id,
            "agreement_type": item.agreement_type,
            "billing_cycle": item.billing_cycle,
            "amount": f"{item.amount:.2f}",
            "currency": item.currency,
            "start_date": iso_day(item.start),
            "end_date": None,
            "cancelled_on": None,
            "updated_at": home.iso(item.created_t),
        }
        if not item.is_recurring and item.end is not None:
            row["end_date"] = iso_day(item.end)
        versions: Versions = [(item.created_t, row)]
        if item.is_recurring and item.changed_t is not None:
            changed = dict(row)
            changed["end_date"] = iso_day(item.end) if item.end is not None else None
            changed["cancelled_on"] = (
                iso_day(item.cancelled) if item.cancelled is not None else None
            )
            changed["updated_at"] = home.iso(item.changed_t)
            versions.append((item.changed_t, changed))
        yield versions


def endpoint_versions(clients: list[Client]) -> Iterator[Versions]:
    """Every endpoint's versions, in endpoint id order (the RMM writes UTC)."""
    devices = sorted((e for c in clients for e in c.endpoints), key=lambda e: e.endpoint_id)
    for e in devices:
        row: dict[str, str | None] = {
            "endpoint_id": e.endpoint_id,
            "client_id": e.client_id,
            "endpoint_type": e.endpoint_type,
            "os": e.os,
            "added_on": iso_day(e.added_on),
            "retired_on": None,
            "updated_at": iso_utc(e.added_t),
        }
        versions: Versions = [(e.added_t, row)]
        if e.retired_on is not None and e.retired_t is not None:
            retired = dict(row)
            retired["retired_on"] = iso_day(e.retired_on)
            retired["updated_at"] = iso_utc(e.retired_t)
            versions.append((e.retired_t, retired))
        yield versions
