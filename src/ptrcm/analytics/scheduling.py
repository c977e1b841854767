"""Attendance: no-show and late-cancel rates by hour, weekday, location and therapist, and
the revenue the missed visits would have brought. docs/kpis.md.

An appointment counts when its scheduled start is in the period and it was due to happen:
kept, no-show or late cancel. Cancellations made in time and appointments still scheduled
are left out. Hours and weekdays are the clinic's local time: appointments are counted per
UTC hour in SQL, and each hour is moved to the clinic's time zone here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select

from ptrcm.analytics.filters import KpiFilters, Scope, appointment_conds
from ptrcm.analytics.sql import cents, count_if, end_of, rate, start_of, utc_hour
from ptrcm.store.tables import appointments, locations, providers

DUE = ("kept", "no_show", "late_cancel")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Attendance:
    """Appointments due in one group (an hour, a weekday, a location or a therapist)."""

    key: str
    due: int
    kept: int
    no_shows: int
    late_cancels: int
    no_show_rate: Decimal | None
    late_cancel_rate: Decimal | None
    revenue_lost: Decimal  # (no-shows + late cancels) x expected revenue per kept visit


def _attendance(key: str, n: Sequence[int], per_visit: Decimal) -> Attendance:
    due, kept, ns, lc = n
    lost = cents(per_visit * (ns + lc))
    return Attendance(key, due, kept, ns, lc, rate(ns, due), rate(lc, due), lost)


def _counts() -> tuple[ColumnElement[int], ...]:
    status = appointments.c.status
    return (
        func.count(),
        count_if(status == "kept"),
        count_if(status == "no_show"),
        count_if(status == "late_cancel"),
    )


def _where(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    return [
        *appointment_conds(scope, f, appointments),
        appointments.c.scheduled_start >= start_of(f.start),
        appointments.c.scheduled_start < end_of(f.end),
        appointments.c.status.in_(DUE),
    ]


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    total: Attendance
    by_hour: list[Attendance]  # key "07".."19": local hour the appointment starts
    by_weekday: list[Attendance]  # key "0".."6": Monday = 0
    by_location: list[Attendance]
    by_therapist: list[Attendance]
    cells: dict[tuple[int, int], tuple[int, int, int]]  # (weekday, hour) -> due, ns, lc


def attendance(
    scope: Scope, f: KpiFilters, timezone: str, per_visit: Decimal | None
) -> AttendanceReport:
    """Rates and revenue leakage; ``per_visit`` is the expected revenue of a kept visit
    (the period's net revenue per visit), zero leakage when unknown."""
    value = per_visit or ZERO
    zone = ZoneInfo(timezone)
    hourly = (
        select(utc_hour(appointments.c.scheduled_start).label("h"), *_counts())
        .where(*_where(scope, f))
        .group_by("h")
    )
    by_hour: dict[int, list[int]] = {}
    by_day: dict[int, list[int]] = {}
    cells: dict[tuple[int, int], list[int]] = {}
    for bucket, due, kept, ns, lc in scope.rows(hourly):
        local = datetime.strptime(str(bucket), "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone)
        for table, key in ((by_hour, local.hour), (by_day, local.weekday())):
            acc = table.setdefault(key, [0, 0, 0, 0])
            for i, n in enumerate((due, kept, ns, lc)):
                acc[i] += int(n)
        cell = cells.setdefault((local.weekday(), local.hour), [0, 0, 0])
        cell[0], cell[1], cell[2] = cell[0] + int(due), cell[1] + int(ns), cell[2] + int(lc)
    places = _grouped(scope, f, appointments.c.location_id, locations.c.external_id, value)
    people = _grouped(scope, f, appointments.c.provider_id, providers.c.npi, value)
    totals = [sum(v[i] for v in by_hour.values()) for i in range(4)]
    return AttendanceReport(
        total=_attendance("all", totals, value),
        by_hour=[_attendance(f"{h:02d}", by_hour[h], value) for h in sorted(by_hour)],
        by_weekday=[_attendance(str(d), by_day[d], value) for d in sorted(by_day)],
        by_location=places,
        by_therapist=people,
        cells={k: (v[0], v[1], v[2]) for k, v in cells.items()},
    )


def _grouped(
    scope: Scope,
    f: KpiFilters,
    ref: ColumnElement[int],
    name: ColumnElement[str | None],
    value: Decimal,
) -> list[Attendance]:
    """Counts per location (therapist) id, read from the appointments' index alone, then
    named: ids sharing a name are added up under it (no name or none known: "unknown")."""
    table = name.table
    counted = scope.rows(select(ref, *_counts()).where(*_where(scope, f)).group_by(ref))
    known = sorted({int(r[0]) for r in counted if r[0] is not None})
    names: dict[int, str | None] = {}
    if known:
        names = dict(scope.rows(select(table.c.id, name).where(table.c.id.in_(known))))
    totals: dict[str | None, list[int]] = {}
    for ref_id, *counts in counted:
        acc = totals.setdefault(None if ref_id is None else names.get(int(ref_id)), [0, 0, 0, 0])
        for i, n in enumerate(counts):
            acc[i] += int(n)
    rows = [
        _attendance("unknown" if k is None else k, (a, b, c, d), value)
        for k, (a, b, c, d) in totals.items()
    ]
    return sorted(rows, key=lambda r: r.key)
