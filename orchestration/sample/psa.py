"""The PSA's facts, month by month: tickets and their history, time entries, RMM alerts, CSAT
responses and invoice lines.

Each month draws alerts and user tickets per client in proportion to its managed endpoints, then
plays every ticket's whole life at once (first response, pauses, escalation, resolution, reopening,
closing) in the business time of its SLA calendar. Each month's file holds what an export at the
end of that month shows: a ticket still open then appears again, resolved, in a later month's file
with a later updated_at. Rows for a later month wait in `MonthlyFiles`; nothing else is kept.
"""

from __future__ import annotations

import calendar
import math
import random
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from .calendar_days import BusinessCalendar, SlaPolicy, sla_policy_for
from .clients import CYCLE_MONTHS, HOURLY_RATE, Client, Endpoint
from .clock import (
    DAY,
    HOUR,
    MINUTE,
    Window,
    Zone,
    Zones,
    date_of,
    iso_day,
    iso_utc,
    plain_utc,
    weekday,
)
from .deliveries import DayFiles, Deliveries, MonthlyFiles
from .draws import Weighted, poisson, randint
from .hr import NEVER, Employee, Staff

SEASON = {
    1: 1.2,
    2: 1.05,
    3: 1.0,
    4: 1.0,
    5: 0.95,
    6: 0.95,
    7: 0.85,
    8: 0.65,
    9: 1.2,
    10: 1.05,
    11: 1.0,
    12: 0.85,
}
PRIORITIES = {"p1": 0.02, "p2": 0.13, "p3": 0.55, "p4": 0.30}
TICKET_TYPES = {"incident": 0.56, "service_request": 0.36, "problem": 0.03, "change": 0.05}
SOURCES = {"phone": 0.28, "email": 0.34, "portal": 0.16, "chat": 0.12, "self_service": 0.10}
# Share of tickets opened in each office hour (8:00 ... 17:00), peaking mid-morning and afternoon.
OFFICE_HOURS = {
    8: 0.7,
    9: 1.3,
    10: 1.4,
    11: 1.2,
    12: 0.8,
    13: 0.7,
    14: 1.1,
    15: 1.2,
    16: 1.0,
    17: 0.6,
}
PAUSES = {0: 0.76, 1: 0.16, 2: 0.08}
ENTRIES = {1: 0.5, 2: 0.3, 3: 0.13, 4: 0.07}
ALERT_RATE = {"server": 3.0, "network": 1.5, "workstation": 0.8, "mobile": 0.3, "other": 0.5}
SEVERITIES = {"info": 0.50, "warning": 0.38, "critical": 0.12}
AUTO_FIX = {"info": 0.5, "warning": 0.7, "critical": 0.45}
TICKET_IF_NOT_FIXED = {"info": 0.0, "warning": 0.25, "critical": 0.8}
ALERT_CATEGORIES = {
    "server": ("disk", "backup", "service", "cpu", "memory", "patching"),
    "network": ("connectivity", "firmware", "vpn"),
    "workstation": ("disk", "patching", "antivirus", "memory"),
    "mobile": ("compliance", "os_update"),
    "other": ("connectivity",),
}
HARDWARE_SIZE = {"smb": 1.0, "mid_market": 1.6, "enterprise": 2.5}
ENTRY_HOURS = {"p1": (0.5, 3.0), "p2": (0.25, 2.0), "p3": (0.25, 1.25), "p4": (0.1, 0.75)}
CSAT = {
    "good": (0.02, 0.02, 0.05, 0.26, 0.65),
    "normal": (0.03, 0.04, 0.08, 0.30, 0.55),
    "bad": (0.10, 0.12, 0.18, 0.30, 0.30),
}
COMMENTS = {
    "fr": {
        5: (
            "Très réactif, merci !",
            "Problème résolu rapidement.",
            "Parfait, rien à dire.",
            "Efficace et sympathique, merci à l'équipe",
        ),
        4: ("Bien, merci.", "Résolu, un peu d'attente au téléphone."),
        3: ("Correct, mais un peu long.", "Résolu, mais il a fallu relancer"),
        2: ("Personne ne m'a rappelé.", "Le problème revient sans cesse, c'est pénible"),
        1: ("Trois jours pour un mot de passe, sérieusement ?", "Très déçu du suivi."),
    },
    "en": {
        5: ("Quick and friendly, thanks!", "Sorted in minutes.", "Great service as always"),
        4: ("Good, thanks.", "Fixed, a bit of a wait on the phone."),
        3: ("Fine, but took a while.",),
        2: ("Had to chase twice, not great.",),
        1: ('Ticket closed as "fixed" but it was not.', "Nobody called back."),
    },
}
DRAW = {
    name: Weighted(weights)
    for name, weights in (
        ("priority", PRIORITIES),
        ("type", TICKET_TYPES),
        ("source", SOURCES),
        ("hour", OFFICE_HOURS),
        ("pauses", PAUSES),
        ("entries", ENTRIES),
        ("severity", SEVERITIES),
    )
}
NEW, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (
    "New",
    "In Progress",
    "Waiting on Client",
    "Resolved",
    "Closed",
)


class AlertSeed:
    __slots__ = ("alert_id", "auto", "category", "endpoint", "raised", "severity", "ticket")

    def __init__(self, raised: int, endpoint: Endpoint, severity: str, category: str, auto: bool):
        self.raised = raised
        self.endpoint = endpoint
        self.severity = severity
        self.category = category
        self.auto = auto
        self.ticket: TicketSeed | None = None
        self.alert_id = ""


class TicketSeed:
    __slots__ = (
        "board",
        "client",
        "created",
        "endpoint_id",
        "is_proactive",
        "priority",
        "resolved",
        "self_service",
        "source",
        "ticket_id",
        "ticket_type",
    )

    def __init__(
        self,
        client: Client,
        created: int,
        priority: str,
        ticket_type: str,
        source: str,
        board: str,
        endpoint_id: str | None,
        is_proactive: bool,
    ) -> None:
        self.client = client
        self.created = created
        self.priority = priority
        self.ticket_type = ticket_type
        self.source = source
        self.board = board
        self.endpoint_id = endpoint_id
        self.is_proactive = is_proactive
        self.self_service = source == "self_service"
        self.ticket_id = ""
        self.resolved: int | None = None  # final resolution, once the life is played


@dataclass
class _Timeline:
    """Business offsets -> instants, with the pauses (waiting on client) that stop the clock."""

    calendar: BusinessCalendar
    segments: list[tuple[int, int]]  # (business offset, instant it resumes at)

    def at(self, offset: int) -> int:
        for begin, instant in reversed(self.segments):
            if begin <= offset:
                return self.calendar.advance(instant, offset - begin)
        raise ValueError(offset)


@dataclass
class _TicketLife:
    """A played ticket, kept when it still changes after the export (for `next_day`)."""

    seed: TicketSeed
    sla_policy_id: str | None
    events: list[tuple[int, str | None, str, bool]]
    escalated: int | None
    tier_after: int
    technician: Employee | None
    senior: Employee | None


class PsaMonths:
    """Generates and writes the PSA facts one month at a time."""

    def __init__(
        self,
        rng: random.Random,
        deliveries: Deliveries,
        window: Window,
        home: Zone,
        zones: Zones,
        calendars: dict[str, BusinessCalendar],
        clients: list[Client],
        staff: Staff,
        *,
        keep_tail: bool = False,
        ticket_scale: float = 1.0,
    ) -> None:
        self.rng = rng
        self.ticket_scale = ticket_scale
        self.window = window
        self.home = home
        self.zones = zones
        self.calendars = calendars
        self.clients = clients
        self.staff = staff
        keys = (
            "psa/tickets",
            "psa/ticket_status_changes",
            "psa/time_entries",
            "psa/rmm_alerts",
            "surveys/csat_responses",
            "psa/invoice_lines",
        )
        self.keys = keys
        self.files: dict[str, MonthlyFiles | DayFiles] = {
            key.split("/")[1]: MonthlyFiles(deliveries, key, window) for key in keys
        }
        self.tickets = 0
        self.alerts = 0
        self.entries = 0
        self.csat = 0
        self.billable: dict[tuple[str, int], float] = defaultdict(float)
        self._day_weights: dict[tuple[str, int], dict[int, float]] = {}
        # keep_tail: what happens after the window's export, for `next_day` (tickets still
        # changing then, and their later time entries and CSAT responses)
        self.keep_tail = keep_tail
        self.tail_tickets: list[_TicketLife] = []
        self.tail_rows: dict[str, list[tuple[int, dict[str, str | None]]]] = {
            "time_entries": [],
            "csat_responses": [],
        }

    # -- the month loop -------------------------------------------------------------------------

    def run(self) -> None:
        for month in range(self.window.n):
            self.month(month)
        for files in self.files.values():
            files.close()

    def next_day(self, rng: random.Random, deliveries: Deliveries) -> None:
        """After `run`: the PSA's delivery of the day after the window, `<yyyy-mm-dd>.csv` per
        entity, as exported at that day's end (needs `keep_tail`).

        The tickets still open at the window's export go on living as already played: their
        changes of the day (status changes, a new ticket row, time entries, CSAT responses) are
        written. Then the day's own alerts and tickets are drawn like a month's, scaled to one
        day, from `rng` (so the window's files never change), with ids continuing the window's;
        invoices are issued when the day is the 1st of a month.
        """
        if not self.keep_tail:
            raise ValueError("next_day needs a PsaMonths built with keep_tail=True")
        start = self.window.end
        day = self.window.end_day
        self.window = self.window.plus_day(self.home)
        index = self.window.n - 1
        label = self.window.labels[index]
        self.rng = rng
        self.files = {
            key.split("/")[1]: DayFiles(deliveries, key, label, index) for key in self.keys
        }
        end, iso = self.window.end, self.home.iso
        for life in self.tail_tickets:
            text = {t: iso(t) for t, *_ in life.events}
            self._write_history(life, text)
            self._write_versions(life, text)
        for name, rows in self.tail_rows.items():
            for t, row in sorted(rows, key=lambda item: item[0]):
                if start <= t < end:
                    self.files[name].write(row)
        first = date_of(day)
        self.month(index, scale=1 / calendar.monthrange(first.year, first.month)[1])
        for files in self.files.values():
            files.close()

    def month(self, month: int, scale: float = 1.0) -> None:
        """Draw, play and write one period of the window: a month, or (`next_day`) a day whose
        draws are `scale` (1 / days in its month) of a month's."""
        for files in self.files.values():
            files.begin(month)
        window = self.window
        alerts: list[AlertSeed] = []
        seeds: list[TicketSeed] = []
        first, end = window.first_days[month], window.first_days[month + 1]
        for client in self.clients:
            days = client.served_days(first, end)
            if not days:
                continue
            middle = days[len(days) // 2]
            active = [
                e
                for e in client.endpoints
                if e.added_on <= middle and (e.retired_on is None or e.retired_on > middle)
            ]
            share = len(days) / (end - first) * scale
            self._draw_alerts(client, month, days, active, share, alerts, seeds)
            self._draw_tickets(client, month, days, active, share, seeds)
        seeds = [seed for seed in seeds if seed.created < window.end]
        seeds.sort(key=lambda seed: seed.created)
        for seed in seeds:
            self.tickets += 1
            seed.ticket_id = f"T{self.tickets:08d}"
        for seed in seeds:
            self._play(seed)
        alerts.sort(key=lambda alert: alert.raised)
        for alert in alerts:
            self._write_alert(alert)
        if date_of(first).day == 1:  # always for a month; for `next_day`, only on a 1st
            self._invoices(month)

    # -- drawing --------------------------------------------------------------------------------

    def _weights(self, client: Client, month: int) -> dict[int, float]:
        """How likely users open a ticket on each day of the month, for the client's calendar."""
        key = (client.calendar_id, month)
        weights = self._day_weights.get(key)
        if weights is None:
            calendar = self.calendars[client.calendar_id]
            weights = {}
            for day in self.window.days(month):
                d = date_of(day)
                weight = 1.0 if calendar.is_open_day(day) else 0.08
                if weekday(day) == 7:
                    weight = 0.05
                if (d.month == 12 and d.day >= 22) or (d.month == 1 and d.day <= 2):
                    weight *= 0.45
                weights[day] = weight
            self._day_weights[key] = weights
        return weights

    def _created_at(self, client: Client, day: int, open_day: bool) -> int:
        rng = self.rng
        if open_day and rng.random() < 0.9:
            hour = DRAW["hour"].pick(rng)
            seconds = hour * HOUR + randint(rng, 0, HOUR - 1)
        else:
            seconds = randint(rng, 0, DAY - 1)
        return self.zones[client.zone].at(day, seconds)

    def _draw_tickets(
        self,
        client: Client,
        month: int,
        days: list[int],
        active: list[Endpoint],
        share: float,
        seeds: list[TicketSeed],
    ) -> None:
        rng = self.rng
        onboarding = sum(1 for day in days if client.in_onboarding(day)) / len(days)
        mean = (
            len(active)
            * client.ticket_rate
            * self.ticket_scale
            * SEASON[self.window.calendar_month(month)]
            * (1 + 0.7 * onboarding)
            * share
        )
        count = poisson(rng, mean)
        if not count:
            return
        weights = self._weights(client, month)
        chosen = rng.choices(days, [weights[day] for day in days], k=count)
        for day in chosen:
            created = self._created_at(client, day, weights[day] >= 0.4)
            endpoint = None
            if active and rng.random() < 0.65:
                device = rng.choice(active)
                if device.added_on <= day and (device.retired_on or NEVER) > day:
                    endpoint = device.endpoint_id
            if rng.random() < 0.05:
                seeds.append(
                    TicketSeed(
                        client,
                        created,
                        rng.choice(("p3", "p4")),
                        "change" if rng.random() < 0.6 else "service_request",
                        "email",
                        "Maintenance",
                        endpoint,
                        True,
                    )
                )
                continue
            source = DRAW["source"].pick(rng)
            if source == "self_service":
                seeds.append(
                    TicketSeed(
                        client,
                        created,
                        "p4",
                        "service_request",
                        source,
                        "Service Desk",
                        None,
                        False,
                    )
                )
                continue
            priority = DRAW["priority"].pick(rng)
            if client.quality == "bad" and priority == "p3" and rng.random() < 0.05:
                priority = "p1"
            board = "Service Desk"
            if client.in_onboarding(day) and rng.random() < 0.4:
                board = "Onboarding"
            seeds.append(
                TicketSeed(
                    client,
                    created,
                    priority,
                    DRAW["type"].pick(rng),
                    source,
                    board,
                    endpoint,
                    False,
                )
            )

    def _draw_alerts(
        self,
        client: Client,
        month: int,
        days: list[int],
        active: list[Endpoint],
        share: float,
        alerts: list[AlertSeed],
        seeds: list[TicketSeed],
    ) -> None:
        if not active:
            return
        rng = self.rng
        rates = [ALERT_RATE[e.endpoint_type] for e in active]
        count = poisson(rng, sum(rates) * share)
        if not count:
            return
        for endpoint in rng.choices(active, rates, k=count):
            # only while the device is managed: it may join or leave during the month
            first = max(days[0], endpoint.added_on)
            last = min(days[-1], (endpoint.retired_on or NEVER) - 1)
            day = randint(rng, first, last) if first <= last else rng.choice(days)
            raised = self.home.at(day, randint(rng, 0, DAY - 1))
            severity = DRAW["severity"].pick(rng)
            auto = rng.random() < AUTO_FIX[severity]
            alert = AlertSeed(
                raised,
                endpoint,
                severity,
                rng.choice(ALERT_CATEGORIES[endpoint.endpoint_type]),
                auto,
            )
            alerts.append(alert)
            if auto or rng.random() >= TICKET_IF_NOT_FIXED[severity]:
                continue
            if severity == "critical":
                priority = (
                    "p1"
                    if endpoint.endpoint_type == "server" and rng.random() < 0.25
                    else ("p2" if rng.random() < 0.7 else "p3")
                )
            else:
                priority = "p3" if rng.random() < 0.6 else "p4"
            ticket = TicketSeed(
                client,
                raised + randint(rng, 60, 300),
                priority,
                "alert",
                "rmm_alert",
                "Monitoring",
                endpoint.endpoint_id,
                True,
            )
            alert.ticket = ticket
            seeds.append(ticket)

    # -- one ticket's life ----------------------------------------------------------------------

    def _technician(self, day: int, tier: int, avoid: Employee | None = None) -> Employee:
        pool = self.staff.technicians_on(day, tier)
        choice = self.rng.choice(pool)
        if choice is avoid and len(pool) > 1:
            choice = self.rng.choice(pool)
        return choice

    def _still_employed(self, employee: Employee, t: int, tier: int) -> Employee:
        day = self.home.to_local(t) // DAY
        if employee.employed_on(day):
            return employee
        return self._technician(day, tier)

    def _play(self, seed: TicketSeed) -> None:
        rng = self.rng
        client = seed.client
        policy = sla_policy_for(client.calendar_id, seed.priority)
        calendar = self.calendars[policy.calendar_id]
        created = seed.created
        home_day = self.home.to_local(created) // DAY
        events: list[tuple[int, str | None, str, bool]] = [(created, None, NEW, False)]
        escalated: int | None = None
        tier_after = 1
        technician: Employee | None = None
        senior: Employee | None = None
        breached = False
        if seed.self_service:
            resolved = created + randint(rng, 60, 600)
            events.append((resolved, NEW, RESOLVED, False))
        else:
            technician = self._technician(home_day, 1)
            factor = client.response_factor
            response = max(
                60,
                int(
                    policy.response_minutes
                    * MINUTE
                    * rng.lognormvariate(math.log(0.42 * factor), 0.6)
                ),
            )
            onboarding = client.in_onboarding(home_day)
            escalation_rate = 0.3 if onboarding else (0.22 if client.quality == "bad" else 0.15)
            if seed.priority == "p4":
                escalation_rate /= 2
            escalates = rng.random() < escalation_rate
            resolution = (
                policy.resolution_minutes
                * MINUTE
                * rng.lognormvariate(math.log(0.38 * factor), 0.75)
            )
            if escalates:
                resolution *= 1.6
            if rng.random() < 0.006:  # stuck: waiting on a vendor, forgotten, ...
                resolution *= rng.uniform(4, 12)
            resolution = max(int(resolution), response + randint(rng, 300, 1_800))
            breached = (
                response > policy.response_minutes * MINUTE
                or resolution > policy.resolution_minutes * MINUTE
            )
            timeline = _Timeline(calendar, [(0, created)])
            first_response = timeline.at(response)
            events.append((first_response, NEW, IN_PROGRESS, False))
            pauses = DRAW["pauses"].pick(rng)
            room = resolution - response - 1_200
            if pauses and room > 1_200 * pauses:
                offsets = sorted(rng.sample(range(response + 600, resolution - 600, 600), pauses))
                for offset in offsets:
                    paused = timeline.at(offset)
                    resumed = paused + int(rng.lognormvariate(math.log(5 * HOUR), 1.0)) + MINUTE
                    timeline.segments.append((offset, resumed))
                    events.append((paused, IN_PROGRESS, WAITING, True))
                    events.append((resumed, WAITING, IN_PROGRESS, False))
            escalation_offset = resolution
            if escalates:
                escalation_offset = randint(rng, response + 60, max(response + 61, resolution - 60))
                escalated = timeline.at(escalation_offset)
                tier_after = 3 if rng.random() < 0.2 else 2
                senior = self._technician(
                    self.home.to_local(escalated) // DAY, tier_after, technician
                )
            resolved = timeline.at(resolution)
            events.append((resolved, IN_PROGRESS, RESOLVED, False))
            self._time_entries(
                seed,
                timeline,
                response,
                resolution,
                escalation_offset,
                technician,
                senior,
                tier_after,
            )
        reopen_rate = 0.08 if client.quality == "bad" else 0.04
        if not seed.self_service and rng.random() < reopen_rate:
            reopened = resolved + randint(rng, HOUR, 36 * HOUR)
            resolved = calendar.advance(reopened, randint(rng, 20, 180) * MINUTE)
            events.append((reopened, RESOLVED, IN_PROGRESS, False))
            events.append((resolved, IN_PROGRESS, RESOLVED, False))
            worker = senior or technician
            if worker is not None:
                started = reopened + randint(rng, 0, 1_800)
                self._entry(seed, self._still_employed(worker, started, tier_after), started)
        events.append((resolved + 72 * HOUR + randint(rng, 0, HOUR), RESOLVED, CLOSED, False))
        for index in range(1, len(events)):  # never two changes at the same second
            if events[index][0] <= events[index - 1][0]:
                events[index] = (events[index - 1][0] + 1, *events[index][1:])
        seed.resolved = events[-2][0]
        life = self._write_ticket(seed, policy, events, escalated, tier_after, technician, senior)
        if self.keep_tail and events[-1][0] >= self.window.end:
            self.tail_tickets.append(life)
        if seed.resolved < self.window.end:
            self._maybe_csat(seed, breached)

    def _time_entries(
        self,
        seed: TicketSeed,
        timeline: _Timeline,
        response: int,
        resolution: int,
        escalation_offset: int,
        technician: Employee,
        senior: Employee | None,
        tier_after: int,
    ) -> None:
        rng = self.rng
        count = DRAW["entries"].pick(rng)
        helper = None
        if senior is None and rng.random() < 0.08:
            helper = self._technician(self.home.to_local(seed.created) // DAY, 1, technician)
        for offset in sorted(randint(rng, response, resolution) for _ in range(count)):
            started = timeline.at(offset)
            if senior is not None and offset >= escalation_offset:
                worker, tier = senior, tier_after
            elif helper is not None and rng.random() < 0.5:
                worker, tier = helper, 1
            else:
                worker, tier = technician, 1
            self._entry(seed, self._still_employed(worker, started, tier), started)

    def _entry(self, seed: TicketSeed, worker: Employee, started: int) -> None:
        rng = self.rng
        low, high = ENTRY_HOURS[seed.priority]
        hours = max(0.25, round(rng.uniform(low, high) * 4) / 4)
        client = seed.client
        billable = client.block_hours_only or (
            seed.ticket_type in ("change", "service_request") and rng.random() < 0.1
        )
        month = self.window.month_of(started)
        if billable:
            self.billable[(client.client_id, month)] += hours
        self.entries += 1
        row = {
            "time_entry_id": f"TE{self.entries:08d}",
            "ticket_id": seed.ticket_id,
            "technician_id": worker.employee_id,
            "started_at": iso_utc(started),
            "hours": f"{hours:.2f}",
            "billable": "true" if billable else "false",
        }
        if self.keep_tail and month >= self.window.n:
            self.tail_rows["time_entries"].append((started, row))
        self.files["time_entries"].route(month, row)

    def _write_ticket(
        self,
        seed: TicketSeed,
        policy: SlaPolicy,
        events: list[tuple[int, str | None, str, bool]],
        escalated: int | None,
        tier_after: int,
        technician: Employee | None,
        senior: Employee | None,
    ) -> _TicketLife:
        life = _TicketLife(seed, None, events, escalated, tier_after, technician, senior)
        iso = self.home.iso
        text = {t: iso(t) for t, *_ in events}
        self._write_history(life, text)
        life.sla_policy_id = policy.sla_policy_id if self.rng.random() >= 0.03 else None
        self._write_versions(life, text)
        return life

    def _write_history(self, life: _TicketLife, text: dict[int, str]) -> None:
        ticket_id, events = life.seed.ticket_id, life.events
        starts = self.window.starts
        route = self.files["ticket_status_changes"].route
        for t, before, after, paused in events:
            route(
                bisect_right(starts, t) - 1,  # Window.month_of, inlined: once per status change
                {
                    "ticket_id": ticket_id,
                    "changed_at": text[t],
                    "from_status": before,
                    "to_status": after,
                    "sla_paused": "true" if paused else "false",
                },
            )

    def _write_versions(self, life: _TicketLife, text: dict[int, str]) -> None:
        """The ticket's row in each export (month file) after one of its changes."""
        seed, events, escalated = life.seed, life.events, life.escalated
        tier_after, technician, senior = life.tier_after, life.technician, life.senior
        window, iso = self.window, self.home.iso
        starts, end = window.starts, window.end
        changes = sorted({t for t, *_ in events} | ({escalated} if escalated else set()))
        months = sorted({bisect_right(starts, t) - 1 for t in changes if t < end})
        last = len(months) - 1
        tickets = self.files["tickets"]
        created_at = text[seed.created]
        is_proactive = "true" if seed.is_proactive else "false"
        closed_at = text[events[-1][0]]
        for position, month in enumerate(months):
            cutoff = starts[month + 1]
            status, resolved_at, reopened, first_response = NEW, None, 0, None
            for t, before, after, _ in events:
                if t >= cutoff:
                    break
                status = after
                if after == RESOLVED:
                    resolved_at = t
                elif after == IN_PROGRESS and before == RESOLVED:
                    reopened += 1
                    resolved_at = None
                if before == NEW and first_response is None:
                    first_response = t
            is_escalated = escalated is not None and escalated < cutoff
            updated = changes[bisect_left(changes, cutoff) - 1]  # the last change before cutoff
            tickets.route(
                month,
                {
                    "ticket_id": seed.ticket_id,
                    "client_id": seed.client.client_id,
                    "created_at": created_at,
                    "priority": seed.priority,
                    "ticket_type": seed.ticket_type,
                    "source": seed.source,
                    "sla_policy_id": life.sla_policy_id,
                    "endpoint_id": seed.endpoint_id,
                    "board": seed.board,
                    "is_proactive": is_proactive,
                    "tier": str(tier_after if is_escalated else 1),
                    "assigned_technician_id": (
                        (senior if is_escalated and senior else technician).employee_id
                        if technician
                        else None
                    ),
                    "first_response_at": text[first_response] if first_response else None,
                    "resolved_at": text[resolved_at] if resolved_at else None,
                    "closed_at": closed_at if status == CLOSED else None,
                    "status": status,
                    "escalated_at": iso(escalated) if is_escalated and escalated else None,
                    "reopened_count": str(reopened),
                    "updated_at": text.get(updated) or iso(updated),
                    "_earlier": position > 0,
                    "_later": position < last,
                },
            )

    def _maybe_csat(self, seed: TicketSeed, breached: bool) -> None:
        rng = self.rng
        if rng.random() >= (0.1 if seed.self_service else 0.25) or seed.resolved is None:
            return
        responded = seed.resolved + min(5 * DAY, int(rng.lognormvariate(math.log(2 * HOUR), 1.2)))
        quality = (
            "bad"
            if breached and seed.client.quality != "bad" and rng.random() < 0.6
            else (seed.client.quality)
        )
        rating = rng.choices((1, 2, 3, 4, 5), CSAT[quality])[0]
        comment = None
        if rng.random() < 0.3:
            comment = rng.choice(
                COMMENTS[seed.client.language if seed.client.language == "fr" else "en"][rating]
            )
        self.csat += 1
        row = {
            "response_id": f"CSAT{self.csat:07d}",
            "ticket_id": seed.ticket_id,
            "responded_at": self.home.iso(responded),
            "rating": str(rating),
            "comment": comment,
        }
        month = self.window.month_of(responded)
        if self.keep_tail and month >= self.window.n:
            self.tail_rows["csat_responses"].append((responded, row))
        self.files["csat_responses"].route(month, row)

    def _write_alert(self, alert: AlertSeed) -> None:
        rng = self.rng
        self.alerts += 1
        alert.alert_id = f"A{self.alerts:08d}"
        if alert.auto:
            resolved: int | None = alert.raised + randint(rng, 1, 30) * MINUTE
        elif alert.ticket is not None:
            resolved = alert.ticket.resolved
        else:
            resolved = alert.raised + int(rng.lognormvariate(math.log(3 * HOUR), 1.0))
        if resolved is not None and resolved >= self.window.end:
            resolved = None
        ticket = alert.ticket
        self.files["rmm_alerts"].route(
            self.window.month_of(alert.raised),
            {
                "alert_id": alert.alert_id,
                "endpoint_id": alert.endpoint.endpoint_id,
                "raised_at": plain_utc(alert.raised),
                "severity": alert.severity,
                "category": alert.category,
                "auto_remediated": "true" if alert.auto else "false",
                "ticket_id": ticket.ticket_id if ticket is not None and ticket.ticket_id else None,
                "resolved_at": plain_utc(resolved) if resolved is not None else None,
            },
        )

    # -- invoices -------------------------------------------------------------------------------

    def _invoices(self, month: int) -> None:
        rng = self.rng
        window = self.window
        day = window.first_days[month]
        compact = window.labels[month][:7].replace("-", "")
        files = self.files["invoice_lines"]
        invoices = credits = 0
        for client in self.clients:
            lines: list[tuple[str, float, str | None]] = []
            managed = None
            for item in client.agreements:
                if item.is_recurring:
                    if item.active_on(day):
                        if item.agreement_type == "managed_services":
                            managed = item
                        elapsed = _months_between(item.start, day)
                        if elapsed % CYCLE_MONTHS[item.billing_cycle] == 0:
                            lines.append(("recurring", item.amount, item.agreement_id))
                elif item.start == day:
                    kind = "project" if item.agreement_type == "project" else "labour"
                    lines.append((kind, item.amount, item.agreement_id))
            hours = self.billable.pop((client.client_id, month - 1), 0.0)
            if hours:
                lines.append(("labour", hours * HOURLY_RATE[client.currency], None))
            if any(start <= day < end for start, end in client.service):
                size = HARDWARE_SIZE[client.segment]
                starting = day in (client.first_start, client.reactivated_on)
                if starting and rng.random() < 0.5:
                    lines.append(("hardware", rng.uniform(800, 6_000) * size, None))
                elif rng.random() < 0.06:
                    lines.append(("hardware", rng.uniform(150, 2_500) * size, None))
            if lines:
                invoices += 1
                invoice_id = f"INV-{compact}-{invoices:05d}"
                for number, (kind, amount, agreement_id) in enumerate(lines, start=1):
                    files.route(
                        month,
                        {
                            "invoice_line_id": f"{invoice_id}-{number:02d}",
                            "invoice_id": invoice_id,
                            "client_id": client.client_id,
                            "invoice_date": iso_day(day),
                            "agreement_id": agreement_id,
                            "revenue_type": kind,
                            "amount": f"{amount:.2f}",
                            "currency": client.currency,
                        },
                    )
            credit_rate = 0.08 if client.quality == "bad" else 0.005
            if managed is not None and rng.random() < credit_rate:
                credits += 1
                credit_id = f"CN-{compact}-{credits:04d}"
                files.route(
                    month,
                    {
                        "invoice_line_id": f"{credit_id}-01",
                        "invoice_id": credit_id,
                        "client_id": client.client_id,
                        "invoice_date": iso_day(day + randint(rng, 5, 20)),
                        "agreement_id": managed.agreement_id,
                        "revenue_type": "other",
                        "amount": f"{-managed.monthly_value() * rng.uniform(0.1, 0.25):.2f}",
                        "currency": client.currency,
                    },
                )


def _months_between(first: int, second: int) -> int:
    a, b = date_of(first), date_of(second)
    return (b.year - a.year) * 12 + b.month - a.month
