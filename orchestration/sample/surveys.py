"""Client surveys (onboarding and relationship), technician pulse and in-depth surveys, and the
MSP's maturity self-assessments. (CSAT responses come with their tickets, in psa.py.)

Technicians who will leave voluntarily answer lower in the year before they go: the overall score
of those who stay is mostly 9-10, of those who leave mostly 5-8, which is the tipping point the
turnover-vs-satisfaction KPI looks for.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .clients import Client
from .clock import HOUR, Window, Zone, iso_day, iso_utc, weekday
from .hr import Staff

NPS_MEAN = {"good": 9.0, "normal": 7.8, "bad": 5.0}
EFFORT_MEAN = {"good": 6.0, "normal": 5.2, "bad": 3.5}
CLIENT_COMMENTS = {
    "fr": (
        "Équipe réactive et à l'écoute.",
        "Bon accompagnement, quelques lenteurs au début.",
        "Migration réussie, merci !",
        "Trop de relances nécessaires.",
        "Interlocuteurs qui changent souvent, dommage",
    ),
    "en": (
        "Responsive team, good communication.",
        "Onboarding was smooth.",
        "Too many follow-ups needed.",
        "Solid, but reporting could be clearer",
    ),
}
TOPICS = {
    "overall": 0.0,
    "ease_of_work": -0.2,
    "stress_workload": -1.0,
    "onboarding_impact": -0.4,
    "on_call": -0.7,
    "pay_benefits": -0.8,
    "career_growth": -0.5,
}
PULSE_STAYING = (2, 5, 20, 45, 28)
PULSE_BUSY = (3, 8, 25, 42, 22)
PULSE_LEAVING = (10, 25, 35, 22, 8)
STATEMENT_BASE = {"PO": 3, "TA": 2, "CS": 3, "RG": 2}


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def client_survey_rows(
    rng: random.Random, clients: list[Client], window: Window, home: Zone
) -> list[tuple[int, dict[str, str | None]]]:
    """Onboarding surveys about 60 days after the first agreement, relationship surveys yearly."""
    answers: list[tuple[int, str, Client]] = []
    for client in clients:
        start = client.first_start

        def served(day: int, client: Client = client) -> bool:
            return any(s <= day < e for s, e in client.service)

        day = start + rng.randint(55, 68)
        if window.first_day <= day < window.end_day and served(day) and rng.random() < 0.8:
            answers.append((home.at(day, rng.randint(8 * HOUR, 19 * HOUR)), "onboarding", client))
        year = 1
        while True:
            day = start + 365 * year + rng.randint(-10, 10)
            year += 1
            if day >= window.end_day:
                break
            if day >= window.first_day and served(day) and rng.random() < 0.6:
                moment = home.at(day, rng.randint(8 * HOUR, 19 * HOUR))
                answers.append((moment, "relationship", client))
    answers.sort(key=lambda answer: (answer[0], answer[2].client_id))
    rows = []
    for number, (moment, survey_type, client) in enumerate(answers, start=1):
        quality = client.quality
        nps = _clip(rng.gauss(NPS_MEAN[quality], 1.0 if quality == "good" else 1.8), 0, 10)
        rating = _clip(1 + nps * 0.4 + rng.gauss(0, 0.5), 1, 5)
        effort = None
        if survey_type == "onboarding" or rng.random() < 0.3:
            effort = str(_clip(rng.gauss(EFFORT_MEAN[quality], 1.0), 1, 7))
        comment = None
        if rng.random() < 0.35:
            comment = rng.choice(CLIENT_COMMENTS["fr" if client.language == "fr" else "en"])
        rows.append(
            (
                window.month_of(moment),
                {
                    "response_id": f"SRV{number:05d}",
                    "client_id": client.client_id,
                    "responded_at": home.iso(moment),
                    "survey_type": survey_type,
                    "nps_score": str(nps),
                    "overall_rating": str(rating),
                    "effort_score": effort,
                    "comment": comment,
                },
            )
        )
    return rows


def pulse_rows(
    rng: random.Random, staff: Staff, window: Window
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """A weekly "how was your week?" (1-5) from each service-desk technician, ~80 % answering."""
    monday = window.first_day + (8 - weekday(window.first_day)) % 7
    number = 0
    technicians = staff.technicians
    while monday < window.end_day:
        month = window.month_of_day(monday)
        busy = window.calendar_month(month) in (1, 9)
        for e in technicians:
            if not (e.employed_on(monday) and e.employed_on(monday + 4)):
                continue
            leaving = (
                e.leaves_voluntarily
                and e.terminated_on is not None
                and e.terminated_on - monday <= 120
            )
            if rng.random() >= (0.65 if leaving else 0.8):
                continue
            weights = PULSE_LEAVING if leaving else PULSE_BUSY if busy else PULSE_STAYING
            number += 1
            yield (
                month,
                {
                    "response_id": f"PULSE{number:06d}",
                    "employee_id": e.employee_id,
                    "week_start": iso_day(monday),
                    "score": str(rng.choices((1, 2, 3, 4, 5), weights)[0]),
                },
            )
        monday += 7


def technician_survey_rows(
    rng: random.Random, staff: Staff, window: Window, home: Zone
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The quarterly in-depth survey (January, April, July, October), one row per topic."""
    number = 0
    for month in range(window.n):
        calendar_month = window.calendar_month(month)
        if calendar_month not in (1, 4, 7, 10):
            continue
        first = window.first_days[month]
        tuesdays = [d for d in range(first, first + 14) if weekday(d) == 2]
        day = tuesdays[-1]
        for e in staff.technicians:
            if not e.employed_on(day) or day - e.hired_on < 30 or rng.random() >= 0.85:
                continue
            left_in = (e.terminated_on - day) if e.terminated_on is not None else None
            if e.leaves_voluntarily and left_in is not None and left_in <= 365:
                base = rng.gauss(6.4, 1.0)
            elif e.terminated_on is not None:
                base = rng.gauss(8.2, 1.0)
            else:
                base = rng.gauss(9.0, 0.7)
            moment = home.at(day, rng.randint(9 * HOUR, 18 * HOUR))
            for topic, offset in TOPICS.items():
                if topic == "onboarding_impact" and calendar_month in (1, 10):
                    offset = -1.2  # the survey after an onboarding wave
                score = base if topic == "overall" else base + offset + rng.gauss(0, 0.6)
                number += 1
                yield (
                    month,
                    {
                        "response_id": f"TSV{number:06d}",
                        "employee_id": e.employee_id,
                        "responded_at": iso_utc(moment),
                        "topic": topic,
                        "score": str(_clip(score, 0, 10)),
                    },
                )


def maturity_rows(rng: random.Random, window: Window) -> list[dict[str, str]]:
    """Three self-assessments spread over the window, 20 statements each, improving over time."""
    span = window.end_day - window.first_day
    days = [window.first_day + 4 + round(index * (span - 10) / 2) for index in range(3)]
    points = {
        f"{section}-{number}": _clip(base + rng.choice((-1, 0, 0, 1)), 1, 5)
        for section, base in STATEMENT_BASE.items()
        for number in range(1, 6)
    }
    rows = []
    for index, day in enumerate(days):
        if index:
            points = {
                statement: min(5, value + (1 if rng.random() < 0.45 else 0))
                for statement, value in points.items()
            }
        for statement, value in points.items():
            rows.append(
                {
                    "assessment_id": f"MA-{iso_day(day)}",
                    "assessed_on": iso_day(day),
                    "statement_id": statement,
                    "points": str(value),
                }
            )
    return rows
