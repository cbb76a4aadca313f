"""Staff of the sample MSP: hires, departures, managers and recruiting costs.

About a quarter of a technician per client, in three tiers, plus projects, sales, marketing,
admin and management. Service-desk leavers are replaced after a vacancy; the team grows with
the client base. Who leaves voluntarily is decided up front, so that the survey generator can make
them less satisfied in the months before (the turnover-vs-satisfaction tipping point).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .clock import HOUR, Window, Zone, iso_day, iso_utc
from .names import MSP_DOMAIN, person_name, slug

TIER_ROLES = {1: "Service Desk Technician", 2: "Systems Technician", 3: "Senior Systems Engineer"}
NEVER = 10**9  # a day number far after any window


@dataclass(eq=False)
class Employee:
    employee_id: str
    full_name: str
    email: str
    department: str
    role: str
    tier: int | None
    hired_on: int  # day number
    manager_id: str | None
    terminated_on: int | None = None
    termination_type: str | None = None
    termination_recorded: int | None = None  # instant the departure was entered in the HRIS
    created: int = 0  # instant the employee was entered in the HRIS

    @property
    def is_technician(self) -> bool:
        return self.department == "service_desk"

    @property
    def leaves_voluntarily(self) -> bool:
        return self.termination_type == "voluntary"

    def employed_on(self, day: int) -> bool:
        return self.hired_on <= day < (self.terminated_on or NEVER)


class Staff:
    """Everyone on the payroll at some point, with the technician pools per day."""

    def __init__(self, employees: list[Employee]) -> None:
        self.employees = employees
        self._pools: dict[tuple[int, int], tuple[Employee, ...]] = {}

    @property
    def technicians(self) -> list[Employee]:
        return [e for e in self.employees if e.is_technician]

    def active(self, department: str, day: int) -> list[Employee]:
        return [e for e in self.employees if e.department == department and e.employed_on(day)]

    def technicians_on(self, day: int, tier: int) -> tuple[Employee, ...]:
        """Service-desk staff of `tier` employed on `day`, falling back to other tiers."""
        key = (day, tier)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._find(day, tier)
            self._pools[key] = pool
        return pool

    def _find(self, day: int, tier: int) -> tuple[Employee, ...]:
        for wanted in (tier, *(t for t in (1, 2, 3) if t != tier)):
            found = tuple(
                e
                for e in self.employees
                if e.is_technician and e.tier == wanted and e.employed_on(day)
            )
            if found:
                return found
        return tuple(e for e in self.employees if e.is_technician)


class _Roster:
    """Hands out employee ids, unique names and e-mails."""

    def __init__(self, rng: random.Random, home: Zone) -> None:
        self.rng = rng
        self.home = home
        self.employees: list[Employee] = []
        self._names: set[str] = set()
        self._emails: set[str] = set()

    def hire(
        self, department: str, role: str, tier: int | None, hired_on: int, manager: str | None
    ) -> Employee:
        rng = self.rng
        for attempt in range(200):
            first, last = person_name(rng, french=rng.random() < 0.8)
            full = f"{first} {last}"
            if attempt >= 30:  # a big MSP runs out of plain names: add a middle initial
                full = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTVW')}. {last}"
            if full not in self._names:
                break
        else:
            full = f"{first} {last} {len(self.employees) + 1}"
        self._names.add(full)
        local = slug(f"{first}.{last}", ".")
        email = f"{local}@{MSP_DOMAIN}"
        number = 2
        while email in self._emails:
            email = f"{local}{number}@{MSP_DOMAIN}"
            number += 1
        self._emails.add(email)
        employee = Employee(
            employee_id=f"E{len(self.employees) + 1:04d}",
            full_name=full,
            email=email,
            department=department,
            role=role,
            tier=tier,
            hired_on=hired_on,
            manager_id=manager,
        )
        # HR enters a new hire a week or three before the first day, in office hours.
        entered = hired_on - rng.randint(7, 21)
        employee.created = self.home.at(entered, rng.randint(9 * HOUR, 17 * HOUR))
        self.employees.append(employee)
        return employee

    def terminate(self, employee: Employee, day: int, kind: str) -> None:
        rng = self.rng
        employee.terminated_on = day
        employee.termination_type = kind
        notice = rng.randint(14, 30) if kind == "voluntary" else rng.randint(0, 2)
        recorded = max(day - notice, employee.hired_on)
        employee.termination_recorded = max(
            self.home.at(recorded, rng.randint(9 * HOUR, 18 * HOUR)), employee.created + HOUR
        )


def plan_staff(rng: random.Random, window: Window, clients: int, home: Zone) -> Staff:
    roster = _Roster(rng, home)
    start, end = window.first_day, window.end_day
    span = end - start

    def before_window(years: float) -> int:
        return start - rng.randint(30, max(31, int(years * 365)))

    ceo = roster.hire("management", "Managing Director", None, start - 11 * 365, None)
    delivery = roster.hire(
        "management", "Service Delivery Manager", None, before_window(8), ceo.employee_id
    )
    sales_head = roster.hire(
        "management", "Head of Sales and Marketing", None, before_window(6), ceo.employee_id
    )
    managers = {
        "service_desk": delivery.employee_id,
        "projects": delivery.employee_id,
        "sales": sales_head.employee_id,
        "marketing": sales_head.employee_id,
        "admin": ceo.employee_id,
    }
    others = {
        "admin": ["Office Manager", "Accountant", "HR Officer"][: max(1, min(3, clients // 40))],
        "projects": ["Project Engineer"] * max(2, round(clients / 30)),
        "sales": ["Account Executive"] * max(2, round(clients / 40)) + ["Account Manager"],
        "marketing": ["Marketing Manager", "Content Marketer"][: max(1, min(2, clients // 60))],
    }
    for department, roles in others.items():
        for role in roles:
            roster.hire(department, role, None, before_window(7), managers[department])

    final_technicians = max(6, round(clients * 0.24))
    initial_technicians = max(6, round(final_technicians * 0.82))
    tiers = _tier_mix(initial_technicians)
    for tier in tiers:
        roster.hire(
            "service_desk", TIER_ROLES[tier], tier, before_window(6), managers["service_desk"]
        )

    def replace(leaver: Employee, after: int) -> None:
        day = after + rng.randint(20, 75)
        if day < end - 5:
            tier = None
            role = leaver.role
            if leaver.is_technician:
                tier = leaver.tier if leaver.tier and rng.random() < 0.5 else 1
                role = TIER_ROLES[tier]
            hire = roster.hire(leaver.department, role, tier, day, leaver.manager_id)
            if rng.random() < 0.1 * span / 730 and day + 90 < end - 5:
                roster.terminate(hire, rng.randint(day + 90, end - 5), "voluntary")

    # Departures of the people already there when the window opens.
    share = span / 730
    for employee in list(roster.employees[1:]):
        chance = (0.30 if employee.is_technician else 0.16) * share
        if span > 40 and rng.random() < chance:
            day = rng.randint(start + 10, end - 10)
            kind = "voluntary" if rng.random() < 0.72 else "involuntary"
            roster.terminate(employee, day, kind)
            if employee.is_technician or employee.department in ("sales", "projects"):
                replace(employee, day)

    # Growth: new technician seats as the client base grows.
    for number in range(final_technicians - initial_technicians):
        day = start + (number + 1) * span // (final_technicians - initial_technicians + 1)
        tier = 1 if rng.random() < 0.7 else 2
        roster.hire("service_desk", TIER_ROLES[tier], tier, day, managers["service_desk"])

    if window.n >= 2:
        _probation_failure(roster, window, managers["service_desk"])
    _ensure_both_kinds(roster, window)
    return Staff(sorted(roster.employees, key=lambda e: e.employee_id))


def _tier_mix(count: int) -> list[int]:
    third = max(1, round(count * 0.13))
    second = max(2, round(count * 0.32))
    return [1] * (count - second - third) + [2] * second + [3] * third


def _probation_failure(roster: _Roster, window: Window, manager: str) -> None:
    """One technician hired and let go within the same month (a failed probation)."""
    month = window.n // 2
    first = window.first_days[month]
    hire = roster.hire("service_desk", TIER_ROLES[1], 1, first + 2, manager)
    roster.terminate(hire, first + min(24, window.first_days[month + 1] - first - 2), "involuntary")


def _ensure_both_kinds(roster: _Roster, window: Window) -> None:
    """At least one voluntary departure inside the window, so the split is never one-sided."""
    leavers = [e for e in roster.employees if e.terminated_on is not None]
    if any(e.termination_type == "voluntary" for e in leavers):
        return
    candidates = [e for e in roster.employees if e.is_technician and e.terminated_on is None]
    if candidates and window.end_day - window.first_day > 20:
        employee = candidates[0]
        roster.terminate(employee, window.end_day - 10, "voluntary")


def employee_versions(staff: Staff) -> list[list[tuple[int, dict[str, str | None]]]]:
    result = []
    for e in staff.employees:
        row: dict[str, str | None] = {
            "employee_id": e.employee_id,
            "full_name": e.full_name,
            "email": e.email,
            "department": e.department,
            "role": e.role,
            "tier": str(e.tier) if e.tier else None,
            "hired_on": iso_day(e.hired_on),
            "terminated_on": None,
            "termination_type": None,
            "manager_id": e.manager_id,
            "updated_at": iso_utc(e.created),
        }
        versions = [(e.created, row)]
        if e.terminated_on is not None and e.termination_recorded is not None:
            left = dict(row)
            left["terminated_on"] = iso_day(e.terminated_on)
            left["termination_type"] = e.termination_type
            left["updated_at"] = iso_utc(e.termination_recorded)
            versions.append((e.termination_recorded, left))
        result.append(versions)
    return result


def recruiting_cost_rows(
    rng: random.Random, staff: Staff, window: Window
) -> list[tuple[int, dict[str, str | None]]]:
    """(month, row) of the costs of every hire made in the window, in date order.

    Job board and interviews come before the first day, onboarding on it and training after;
    some hires go through an agency, a few through a referral bonus. Costs dated before the
    window are booked on its first day; costs after it were not incurred yet.
    """
    costs: list[tuple[int, str, float, str | None]] = []
    for e in staff.employees:
        if e.hired_on < window.first_day:
            continue
        hire = e.hired_on
        plan: list[tuple[int, str, float]] = []
        if rng.random() < 0.85:
            plan.append((hire - rng.randint(35, 60), "job_board", rng.uniform(250, 900)))
        if rng.random() < 0.3:
            plan.append((hire - rng.randint(0, 5), "agency", rng.uniform(4_000, 9_000)))
        elif rng.random() < 0.15:
            plan.append((hire + rng.randint(90, 100), "referral_bonus", 1_000.0))
        plan.append((hire - rng.randint(10, 30), "interviewing", rng.uniform(300, 900)))
        plan.append((hire, "onboarding", rng.uniform(400, 1_200)))
        if e.is_technician or e.department == "projects":
            plan.append((hire + rng.randint(20, 60), "training", rng.uniform(600, 2_500)))
        if rng.random() < 0.05:
            plan.append((hire - rng.randint(5, 15), "other", 150.0))
        for day, category, amount in plan:
            employee_id = e.employee_id if category != "job_board" or rng.random() < 0.7 else None
            costs.append((max(day, window.first_day), category, amount, employee_id))
    costs.sort(key=lambda cost: (cost[0], cost[3] or "", cost[1]))
    rows = []
    for number, (day, category, amount, employee_id) in enumerate(costs, start=1):
        if day >= window.end_day:
            continue
        rows.append(
            (
                window.month_of_day(day),
                {
                    "cost_id": f"RC{number:05d}",
                    "incurred_on": iso_day(day),
                    "category": category,
                    "amount": f"{amount:.2f}",
                    "currency": "EUR",
                    "employee_id": employee_id,
                },
            )
        )
    return rows
