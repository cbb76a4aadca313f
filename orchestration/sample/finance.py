"""Month-end exchange rates into EUR, the sample's reporting currency.

The first rate is the month-end before the window, so that invoices on the window's first day
have an earlier rate; one month deliberately has no CHF rate, for the "latest earlier rate" rule.
"""

from __future__ import annotations

import math
import random

from .clock import Window, iso_day

START_RATES = {"GBP": 1.17, "CHF": 1.06}
MONTHLY_DRIFT = {"GBP": -0.001, "CHF": 0.0015}


def missing_chf_month(window: Window) -> int | None:
    return window.n // 2 if window.n >= 3 else None


def fx_rows(rng: random.Random, window: Window) -> list[dict[str, str]]:
    rates = dict(START_RATES)
    missing = missing_chf_month(window)
    rows = []
    # rate dates: the day before each month's 1st, i.e. the month-ends from the one before the
    # window to the window's last
    for month in range(-1, window.n):
        rate_day = window.first_days[month + 1] - 1
        for currency in rates:
            rates[currency] *= math.exp(MONTHLY_DRIFT[currency] + rng.gauss(0, 0.012))
            if currency == "CHF" and month == missing:
                continue
            rows.append(
                {
                    "rate_date": iso_day(rate_day),
                    "currency": currency,
                    "rate_to_reporting": f"{rates[currency]:.6f}",
                }
            )
    return rows
