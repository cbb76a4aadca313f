"""Business-hours calendars, public holidays and SLA policies of the sample MSP.

The generator places first responses and resolutions a drawn number of *business* minutes after
a ticket opens, with the same rules the warehouse's SLA engine applies (opening hours per weekday
in the calendar's zone, holidays closed, 24x7 always open), so breaches in the marts are the
breaches the generator meant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .clock import DAY, Zone, Zones, day_of, iso_day, weekday

PARIS, LONDON, ROUND_THE_CLOCK = "CAL-PARIS", "CAL-LONDON", "CAL-24X7"


@dataclass(frozen=True)
class CalendarSpec:
    calendar_id: str
    timezone: str
    weekdays: tuple[int, ...]
    opens_at: str
    closes_at: str


CALENDAR_SPECS = (
    CalendarSpec(PARIS, "Europe/Paris", (1, 2, 3, 4, 5), "08:00", "18:00"),
    CalendarSpec(LONDON, "Europe/London", (1, 2, 3, 4, 5), "09:00", "17:30"),
    CalendarSpec(ROUND_THE_CLOCK, "UTC", (1, 2, 3, 4, 5, 6, 7), "00:00", "24:00"),
)


@dataclass(frozen=True)
class SlaPolicy:
    sla_policy_id: str
    priority: str
    response_minutes: int
    resolution_minutes: int
    calendar_id: str


# p1 is measured round the clock; p2-p4 in the business hours of the client's calendar.
SLA_POLICIES = (
    SlaPolicy("SLA-24X7-P1", "p1", 30, 240, ROUND_THE_CLOCK),
    SlaPolicy("SLA-PARIS-P2", "p2", 60, 480, PARIS),
    SlaPolicy("SLA-PARIS-P3", "p3", 240, 1_440, PARIS),
    SlaPolicy("SLA-PARIS-P4", "p4", 480, 2_880, PARIS),
    SlaPolicy("SLA-LONDON-P2", "p2", 60, 480, LONDON),
    SlaPolicy("SLA-LONDON-P3", "p3", 240, 1_440, LONDON),
    SlaPolicy("SLA-LONDON-P4", "p4", 480, 2_880, LONDON),
)


def sla_policy_for(calendar_id: str, priority: str) -> SlaPolicy:
    wanted = ROUND_THE_CLOCK if priority == "p1" else calendar_id
    for policy in SLA_POLICIES:
        if policy.priority == priority and policy.calendar_id == wanted:
            return policy
    raise KeyError((calendar_id, priority))


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def french_holidays(year: int) -> list[tuple[date, str]]:
    easter = easter_sunday(year)
    return [
        (date(year, 1, 1), "Jour de l'an"),
        (easter + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "Fête du Travail"),
        (date(year, 5, 8), "Victoire 1945"),
        (easter + timedelta(days=39), "Ascension"),
        (easter + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "Fête nationale"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "Armistice 1918"),
        (date(year, 12, 25), "Noël"),
    ]


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def uk_bank_holidays(year: int) -> list[tuple[date, str]]:
    """Bank holidays of England and Wales, with substitute days and the recent one-off days."""
    new_year = date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year += timedelta(days=7 - new_year.weekday())
    easter = easter_sunday(year)
    days = [
        (new_year, "New Year's Day"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter + timedelta(days=1), "Easter Monday"),
    ]
    early_may = date(2020, 5, 8) if year == 2020 else _first_monday(year, 5)
    days.append((early_may, "Early May bank holiday"))
    if year == 2022:
        days += [(date(2022, 6, 2), "Spring bank holiday"), (date(2022, 6, 3), "Platinum Jubilee")]
    else:
        days.append((_last_monday(year, 5), "Spring bank holiday"))
    days.append((_last_monday(year, 8), "Summer bank holiday"))
    christmas = date(year, 12, 25)
    if christmas.weekday() == 5:  # Saturday: both move to Monday and Tuesday
        days += [
            (date(year, 12, 27), "Christmas Day (substitute day)"),
            (date(year, 12, 28), "Boxing Day (substitute day)"),
        ]
    elif christmas.weekday() == 6:  # Sunday: Boxing Day stays Monday, Christmas moves to Tuesday
        days += [
            (date(year, 12, 26), "Boxing Day"),
            (date(year, 12, 27), "Christmas Day (substitute day)"),
        ]
    elif christmas.weekday() == 4:  # Friday: Boxing Day falls on Saturday
        days += [(christmas, "Christmas Day"), (date(year, 12, 28), "Boxing Day (substitute day)")]
    else:
        days += [(christmas, "Christmas Day"), (date(year, 12, 26), "Boxing Day")]
    one_off = {
        2022: [(date(2022, 9, 19), "State Funeral of Queen Elizabeth II")],
        2023: [(date(2023, 5, 8), "Coronation of King Charles III")],
    }
    days += one_off.get(year, [])
    return sorted(days)


def holidays_by_calendar(years: Iterable[int]) -> dict[str, list[tuple[date, str]]]:
    """Holidays per calendar, one name per day (two holidays on one day share the row)."""
    sources = {PARIS: french_holidays, LONDON: uk_bank_holidays}
    result: dict[str, list[tuple[date, str]]] = {}
    for calendar_id, source in sources.items():
        names: dict[date, list[str]] = {}
        for year in years:
            for day, name in source(year):
                names.setdefault(day, []).append(name)
        result[calendar_id] = [(day, " / ".join(names[day])) for day in sorted(names)]
    return result


class BusinessCalendar:
    """Opening hours in a zone, minus holidays: the clock an SLA runs on."""

    def __init__(self, spec: CalendarSpec, zone: Zone, holidays: Iterable[date]) -> None:
        self.calendar_id = spec.calendar_id
        self.zone = zone
        opens, closes = _seconds(spec.opens_at), _seconds(spec.closes_at)
        self.always_open = len(spec.weekdays) == 7 and opens == 0 and closes == DAY
        self._week: tuple[tuple[int, int] | None, ...] = tuple(
            (opens, closes) if day in spec.weekdays else None for day in range(8)
        )
        self.opens, self.closes = opens, closes
        self._holidays = frozenset(day_of(d) for d in holidays)

    def hours(self, day: int) -> tuple[int, int] | None:
        """(opens, closes) in seconds after local midnight, or None when closed all day."""
        if day in self._holidays:
            return None
        return self._week[weekday(day)]

    def is_open_day(self, day: int) -> bool:
        return self.hours(day) is not None

    def advance(self, t: int, seconds: int) -> int:
        """The instant `seconds` of business time after `t` (from the next opening if closed)."""
        if self.always_open:
            return t + seconds
        zone = self.zone
        day, now = divmod(zone.to_local(t), DAY)
        remaining = seconds
        while True:
            hours = self.hours(day)
            if hours is not None:
                opens, closes = hours
                begin = now if now > opens else opens
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return zone.to_utc(day * DAY + begin + remaining)
                    remaining -= available
            day, now = day + 1, 0

    def business_seconds(self, start: int, end: int) -> int:
        """Business time between two instants (0 when end <= start)."""
        if end <= start:
            return 0
        if self.always_open:
            return end - start
        zone = self.zone
        day, now = divmod(zone.to_local(start), DAY)
        last_day, last_now = divmod(zone.to_local(end), DAY)
        total = 0
        while day <= last_day:
            hours = self.hours(day)
            if hours is not None:
                opens, closes = hours
                begin = max(now, opens)
                finish = min(closes, last_now) if day == last_day else closes
                if finish > begin:
                    total += finish - begin
            day, now = day + 1, 0
        return total


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3_600 + int(minutes) * 60


def build_calendars(zones: Zones, years: Iterable[int]) -> dict[str, BusinessCalendar]:
    holidays = holidays_by_calendar(years)
    return {
        spec.calendar_id: BusinessCalendar(
            spec, zones[spec.timezone], [day for day, _ in holidays.get(spec.calendar_id, [])]
        )
        for spec in CALENDAR_SPECS
    }


def calendar_rows() -> list[dict[str, str]]:
    return [
        {
            "calendar_id": spec.calendar_id,
            "timezone": spec.timezone,
            "weekday": str(day),
            "opens_at": spec.opens_at,
            "closes_at": spec.closes_at,
        }
        for spec in CALENDAR_SPECS
        for day in spec.weekdays
    ]


def holiday_rows(years: Iterable[int]) -> list[dict[str, str]]:
    return [
        {"calendar_id": calendar_id, "holiday_date": iso_day(day_of(day)), "name": name}
        for calendar_id, days in holidays_by_calendar(years).items()
        for day, name in days
    ]


def sla_policy_rows() -> list[dict[str, str]]:
    return [
        {
            "sla_policy_id": policy.sla_policy_id,
            "priority": policy.priority,
            "response_target_minutes": str(policy.response_minutes),
            "resolution_target_minutes": str(policy.resolution_minutes),
            "calendar_id": policy.calendar_id,
        }
        for policy in SLA_POLICIES
    ]
