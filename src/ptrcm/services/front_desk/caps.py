"""Authorizations, annual visit limits and the Medicare KX threshold for one patient.

Counts come from the kept (documented) visits in the store, never from a counter someone
must remember to update: an authorization counts the visits in its window with one of its
covered codes (and their units); the annual visit limit counts the visits in the plan year
that contains the day asked about (so it starts again by itself on the plan-year
anniversary), on top of what the payer reported for that plan year; the KX count adds the
allowed amounts of the calendar year's Medicare visits in the threshold group, with the
scrubber's own arithmetic (``ptrcm.rules.kx``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain.caps import (
    Alert,
    AuthorizationUse,
    KxPosition,
    VisitLimitUse,
    authorization_alerts,
    kx_alerts,
    plan_year_start,
    visit_limit_alerts,
    visits_used,
)
from ptrcm.domain.charges import ChargePolicy, build_charges
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.fees import FeeSchedule, default_fee_schedule
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod
from ptrcm.rules.kx import lines_allowed, threshold_for, threshold_group
from ptrcm.rules.packs import builtin_packs
from ptrcm.services.ports import FrontDeskStore, Row

MEDICARE_CLASS = "medicare"


@dataclass(frozen=True, slots=True)
class CapStatus:
    """Where one patient stands for one discipline on one day."""

    day: date
    discipline: str
    authorizations: tuple[AuthorizationUse, ...]
    visit_limit: VisitLimitUse | None
    kx: KxPosition | None
    alerts: tuple[Alert, ...] = field(default=())


def _allowed_of(row: Row, fees: FeeSchedule) -> Decimal:
    visit = parse_visit(row["record"], source="store:visits", limits=False)
    policy = ChargePolicy(UnitMethod.CMS)
    charges = build_charges(visit, policy, lambda _code: Money.zero(), load_catalog())
    return lines_allowed(charges.lines, fees)


def authorization_uses(
    repo: FrontDeskStore, patient_id: int, kept: Sequence[Row]
) -> list[AuthorizationUse]:
    codes = repo.visit_codes([int(v["id"]) for v in kept])
    uses = []
    for auth in repo.authorizations(patient_id):
        covered = None if auth["codes"] is None else frozenset(auth["codes"])
        visits = units = 0
        for visit in kept:
            day = visit["date_of_service"]
            if auth["discipline"] and visit["discipline"] != auth["discipline"]:
                continue
            if (
                auth["payer_external_id"]
                and visit["payer_external_id"] != auth["payer_external_id"]
            ):
                continue
            if (auth["start_date"] and day < auth["start_date"]) or (
                auth["end_date"] and day > auth["end_date"]
            ):
                continue
            lines = [(c, u) for c, u in codes[int(visit["id"])] if covered is None or c in covered]
            if lines:
                visits += 1
                units += sum(1 if u is None else u for _c, u in lines)
        uses.append(
            AuthorizationUse(
                number=auth["number"] or auth["external_id"] or str(auth["id"]),
                start=auth["start_date"],
                end=auth["end_date"],
                visits_authorized=auth["visits_authorized"],
                visits_used=visits,
                units_authorized=auth["units_authorized"],
                units_used=units,
                codes=covered,
                discipline=auth["discipline"],
            )
        )
    return uses


def visit_limit_use(
    snapshot: Row | None, kept: Sequence[Row], payer: str, day: date
) -> VisitLimitUse | None:
    """The annual limit from the benefits snapshot, counted in the plan year of ``day``."""
    if snapshot is None or snapshot["visit_limit"] is None:
        return None
    anchor = snapshot["plan_year_start"] or date(day.year, 1, 1)
    start = plan_year_start(anchor, day)
    dates = [v["date_of_service"] for v in kept if v["payer_external_id"] == payer]
    used = visits_used(dates, start, day, snapshot["visits_used"], snapshot["verified_on"])
    return VisitLimitUse(int(snapshot["visit_limit"]), used, start)


def kx_position(
    coverage: Row,
    kept: Sequence[Row],
    discipline: str,
    day: date,
    next_visit_allowed: Decimal | None,
    fees: FeeSchedule | None = None,
) -> KxPosition | None:
    """The year-to-date allowed amount in the visit's threshold group, before ``day``.

    A visit carrying ``kx_ytd_allowed`` (an amount allowed elsewhere earlier in the year)
    starts the count, as in the scrubber. The next visit's allowed amount defaults to the
    last counted visit's (a typical visit).
    """
    if coverage["payer_class"] != MEDICARE_CLASS:
        return None
    pack = builtin_packs()["medicare"].for_date(day)
    found = threshold_for(pack, day.year)
    if found is None:
        return None
    schedule = fees or default_fee_schedule()
    group = threshold_group(discipline)
    total = Decimal("0.00")
    last = Decimal("0.00")
    anchored = False
    for row in kept:
        visit_day = row["date_of_service"]
        if (
            visit_day.year != day.year
            or visit_day >= day
            or row["payer_external_id"] != coverage["payer_external_id"]
            or threshold_group(row["discipline"]) != group
        ):
            continue
        outside = (row["record"] or {}).get("kx_ytd_allowed")
        if not anchored and outside is not None:
            total, anchored = Decimal(str(outside)), True
        last = _allowed_of(row, schedule)
        total += last
    upcoming = last if next_visit_allowed is None else next_visit_allowed
    return KxPosition(group, day.year, found[0], total, upcoming)


def cap_status(
    repo: FrontDeskStore,
    patient_id: int,
    discipline: str,
    day: date,
    *,
    next_visit_allowed: Decimal | None = None,
) -> CapStatus:
    """Authorizations, the visit limit and the KX position for ``discipline`` on ``day``."""
    kept = repo.kept_visits(patient_id)
    coverages = repo.coverages(patient_id)
    auths = [
        use
        for use in authorization_uses(repo, patient_id, kept)
        if use.discipline in (None, discipline)
    ]
    limit = kx = None
    alerts: list[Alert] = []
    for use in auths:
        if use.end is None or use.end >= day or use.in_window(day):
            alerts += authorization_alerts(use, day)
    primary = _primary(coverages)
    if primary is not None:
        snapshot = repo.latest_snapshot(int(primary["id"]), day)
        limit = visit_limit_use(snapshot, kept, primary["payer_external_id"], day)
        if limit is not None:
            alerts += visit_limit_alerts(limit, day)
        kx = kx_position(primary, kept, discipline, day, next_visit_allowed)
        if kx is not None:
            alerts += kx_alerts(kx, day)
    return CapStatus(day, discipline, tuple(auths), limit, kx, tuple(alerts))


def _primary(coverages: Sequence[Row]) -> Row | None:
    ranked = sorted(coverages, key=lambda r: ("primary", "secondary", "tertiary").index(r["rank"]))
    return ranked[0] if ranked else None


def primary_coverage_of(coverages: Sequence[Row]) -> Row | None:
    return _primary(coverages)


def planned_allowed(codes: dict[str, int], fees: FeeSchedule | None = None) -> Decimal:
    """Allowed amount of planned codes by the schedule (units times the per-unit amount)."""
    schedule = fees or default_fee_schedule()
    return sum(
        (schedule.allowed_for(code, units).amount for code, units in codes.items()),
        Decimal("0.00"),
    )


def describe(status: CapStatus) -> dict[str, Any]:
    """JSON-ready summary of a cap status."""
    limit = status.visit_limit
    kx = status.kx
    return {
        "authorizations": [
            {
                "number": a.number,
                "visits_authorized": a.visits_authorized,
                "visits_used": a.visits_used,
                "visits_left": a.visits_left,
                "units_left": a.units_left,
                "end": a.end,
            }
            for a in status.authorizations
        ],
        "visit_limit": None
        if limit is None
        else {"limit": limit.limit, "used": limit.used, "plan_year_start": limit.year_start},
        "kx": None
        if kx is None
        else {
            "group": kx.group,
            "threshold": kx.threshold,
            "ytd_allowed": kx.ytd_allowed,
            "modifier_needed": kx.modifier_needed,
        },
    }
