"""Time as integer epoch seconds, with fast ISO-8601 formatting and the sample's month window.

Every instant in the generator is an `int` of seconds since 1970-01-01 UTC and every day an `int`
day number (days since 1970-01-01). Integers order, add and hash cheaply, which keeps the
10-million-ticket benchmark linear; `datetime` objects only appear when a zone's offsets are
precomputed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

MINUTE = 60
HOUR = 3_600
DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# The MSP itself runs from Paris: its PSA exports in Paris time and its months are Paris months.
HOME_ZONE = "Europe/Paris"


def day_of(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def date_of(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


@cache
def iso_day(day: int) -> str:
    """'2026-03-29' for a day number."""
    return date_of(day).isoformat()


def weekday(day: int) -> int:
    """ISO weekday of a day number (1 = Monday ... 7 = Sunday); day 0 was a Thursday."""
    return (day + 3) % 7 + 1


# 'HH:MM:SS' of every second of a day, built once: formatting millions of timestamps is the
# generator's hottest path, and a list lookup beats three divmods and a format
_TIMES = tuple(
    f"{hours:02d}:{minutes:02d}:{secs:02d}"
    for hours in range(24)
    for minutes in range(60)
    for secs in range(60)
)


def _clock(seconds: int, separator: str) -> str:
    day, rest = divmod(seconds, DAY)
    return iso_day(day) + separator + _TIMES[rest]


def iso_utc(t: int) -> str:
    """'2026-03-29T07:15:00Z'."""
    return _clock(t, "T") + "Z"


def plain_utc(t: int) -> str:
    """'2026-03-29 07:15:00': a UTC timestamp written without offset, as some RMMs export."""
    return _clock(t, " ")


def _suffix(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // MINUTE, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


class Zone:
    """The UTC offsets of one IANA zone, precomputed as a sorted list of transitions."""

    def __init__(self, name: str, first_year: int, last_year: int) -> None:
        self.name = name
        self._tz = ZoneInfo(name)
        self._lo = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
        self._hi = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
        starts, offsets = [self._lo], [self._exact(self._lo)]
        step = DAY  # no zone changes its offset twice in a day; bisection finds the second
        t = self._lo
        while t < self._hi:
            following = t + step
            offset = self._exact(following)
            if offset != offsets[-1]:
                lo, hi = t, following
                while hi - lo > 1:
                    middle = (lo + hi) // 2
                    if self._exact(middle) == offsets[-1]:
                        lo = middle
                    else:
                        hi = middle
                starts.append(hi)
                offsets.append(offset)
            t = following
        self._starts = starts
        self._offsets = offsets
        self._suffixes = {offset: _suffix(offset) for offset in offsets}
        self._span_start = self._span_end = self._span_offset = 0

    def _exact(self, t: int) -> int:
        offset = datetime.fromtimestamp(t, self._tz).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def offset(self, t: int) -> int:
        """Seconds to add to UTC to get this zone's wall clock at instant `t`."""
        if self._span_start <= t < self._span_end:  # most calls fall in the last span used
            return self._span_offset
        if t < self._lo or t >= self._hi:
            return self._exact(t)
        index = bisect.bisect_right(self._starts, t) - 1
        self._span_start = self._starts[index]
        self._span_end = self._starts[index + 1] if index + 1 < len(self._starts) else self._hi
        self._span_offset = self._offsets[index]
        return self._span_offset

    def to_local(self, t: int) -> int:
        return t + self.offset(t)

    def to_utc(self, local: int) -> int:
        """The instant of a wall-clock time (a time skipped by DST lands one hour later)."""
        t = local - self.offset(local)
        offset = self.offset(t)
        return local - offset

    def iso(self, t: int) -> str:
        """'2026-03-29T09:15:00+02:00'."""
        offset = self.offset(t)
        suffix = self._suffixes.get(offset) or _suffix(offset)
        return _clock(t + offset, "T") + suffix

    def at(self, day: int, seconds: int) -> int:
        """The instant of `seconds` after local midnight of `day`."""
        return self.to_utc(day * DAY + seconds)


class Zones:
    """The zones the sample needs, built once per run for the years it spans."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self._first, self._last = first_year, last_year
        self._zones: dict[str, Zone] = {}

    def __getitem__(self, name: str) -> Zone:
        if name not in self._zones:
            self._zones[name] = Zone(name, self._first, self._last)
        return self._zones[name]


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Window:
    """The `months` calendar months (in the MSP's zone) that the sample covers."""

    labels: tuple[str, ...]
    first_days: tuple[int, ...]  # day number of each month's 1st, plus the 1st after the window
    starts: tuple[int, ...]  # the instants of those days' local midnights

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def first_day(self) -> int:
        return self.first_days[0]

    @property
    def end_day(self) -> int:
        """The first day after the window."""
        return self.first_days[-1]

    @property
    def start(self) -> int:
        return self.starts[0]

    @property
    def end(self) -> int:
        """The first instant after the window: the export time of the last delivery."""
        return self.starts[-1]

    def month_of(self, t: int) -> int:
        """Index of the month holding instant `t`: -1 before the window, n after it."""
        return bisect.bisect_right(self.starts, t) - 1

    def month_of_day(self, day: int) -> int:
        return bisect.bisect_right(self.first_days, day) - 1

    def calendar_month(self, index: int) -> int:
        """1-12 for a month index."""
        return int(self.labels[index][5:7])

    def days(self, index: int) -> range:
        return range(self.first_days[index], self.first_days[index + 1])

    def plus_day(self, home: Zone) -> Window:
        """This window followed by one more period: the single day after it, labelled
        'yyyy-mm-dd' (the next day's delivery, `PsaMonths.next_day`)."""
        day = self.end_day
        return Window(
            (*self.labels, iso_day(day)),
            (*self.first_days, day + 1),
            (*self.starts, home.at(day + 1, 0)),
        )


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"end_month must look like '2026-10', got {text!r}")
    return int(match.group(1)), int(match.group(2))


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def make_window(end_month: str, months: int, home: Zone) -> Window:
    if months < 1:
        raise ValueError("months must be at least 1")
    year, month = parse_month(end_month)
    first = add_months(year, month, -(months - 1))
    labels, first_days, starts = [], [], []
    for delta in range(months + 1):
        y, m = add_months(*first, delta)
        if delta < months:
            labels.append(f"{y:04d}-{m:02d}")
        day = day_of(date(y, m, 1))
        first_days.append(day)
        starts.append(home.at(day, 0))
    return Window(tuple(labels), tuple(first_days), tuple(starts))
