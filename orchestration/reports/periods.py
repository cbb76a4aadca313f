"""Report periods: a calendar quarter (the QBR, `2026-Q3`) or a month (the monthly service review,
`2026-09`), with the previous period and the trend window the charts show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

PeriodType = Literal["month", "quarter"]

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TREND_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A month or a quarter, identified like the marts' `period_label` (2026-09, 2026-Q3)."""

    start_on: date
    period_type: PeriodType

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026-Q3` (also `2026Q3`) is a quarter, `2026-09` a month; anything else is refused
        with the two accepted forms."""
        text = text.strip()
        if match := _QUARTER.match(text):
            year, quarter = int(match[1]), int(match[2])
            return cls(date(year, 3 * quarter - 2, 1), "quarter")
        if (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
            return cls(date(int(match[1]), int(match[2]), 1), "month")
        raise ValueError(
            f"period {text!r} is neither a quarter (YYYY-Qn, e.g. 2026-Q3) nor a month "
            "(YYYY-MM, e.g. 2026-09)"
        )

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), "quarter")

    @property
    def month_count(self) -> int:
        return 3 if self.period_type == "quarter" else 1

    @property
    def label(self) -> str:
        """The marts' `period_label`: 2026-Q3 or 2026-09."""
        if self.period_type == "quarter":
            return f"{self.start_on.year}-Q{(self.start_on.month - 1) // 3 + 1}"
        return f"{self.start_on:%Y-%m}"

    @property
    def end_on(self) -> date:
        """The period's last day."""
        return date.fromordinal(add_months(self.start_on, self.month_count).toordinal() - 1)

    @property
    def months(self) -> tuple[date, ...]:
        """First days of the period's months."""
        return tuple(add_months(self.start_on, i) for i in range(self.month_count))

    @property
    def last_month(self) -> date:
        return self.months[-1]

    def previous(self) -> Period:
        """The calendar's previous period of the same type (the marts' `_previous` columns)."""
        return Period(add_months(self.start_on, -self.month_count), self.period_type)

    def trend_months(self, length: int = TREND_MONTHS) -> tuple[date, ...]:
        """The `length` months ending with the period's last month: the charts' x axis, long
        enough for a QBR to show the previous quarters."""
        return tuple(add_months(self.last_month, i - length + 1) for i in range(length))

    def __str__(self) -> str:
        return self.label
