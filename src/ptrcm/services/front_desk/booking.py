"""Booking check: is a proposed appointment covered, and what must happen first?

Four questions, each answered from the store: eligibility (a current benefits snapshot,
active, without rejections), authorization (one in force that covers the codes and has
visits left, when the payer or the snapshot requires it), caps (the annual visit limit
and, for Medicare, the KX threshold) and the plan of care (certified, signed, progress
report). Blocking alerts make the visit not covered until they are resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.caps import Alert, authorization_alerts
from ptrcm.domain.care_plans import booking_plan_alerts
from ptrcm.errors import InputError
from ptrcm.services.front_desk.caps import cap_status, planned_allowed, primary_coverage_of
from ptrcm.services.front_desk.eligibility import (
    VERIFY_ACTION,
    latest_verification,
    verification_alert,
)
from ptrcm.services.front_desk.plan_tracking import current_plan, plan_facts
from ptrcm.services.ports import FrontDeskStore

AUTH_ACTION = "obtain an authorization from the payer before the visit"


@dataclass(frozen=True, slots=True)
class BookingCheck:
    patient: str
    day: date
    discipline: str
    alerts: tuple[Alert, ...]
    kx_modifier: bool

    @property
    def covered(self) -> bool:
        return not any(a.blocking for a in self.alerts)

    def as_json(self) -> dict[str, Any]:
        return {
            "patient": self.patient,
            "date": self.day.isoformat(),
            "discipline": self.discipline,
            "covered": self.covered,
            "kx_modifier": self.kx_modifier,
            "reasons": [
                {
                    "kind": a.kind,
                    "blocking": a.blocking,
                    "reason": a.reason,
                    "due": None if a.due is None else a.due.isoformat(),
                    "action": a.action,
                }
                for a in self.alerts
            ],
        }


def payer_auth_rule(config: Config) -> Callable[[str], bool]:
    """``auth_required`` of a payer in the configuration (unknown payers: not required)."""

    def requires(payer_id: str) -> bool:
        payer = config.payer(payer_id)
        return payer is not None and payer.auth_required

    return requires


def check_booking(
    repo: FrontDeskStore,
    patient: str,
    day: date,
    discipline: str,
    codes: dict[str, int] | None = None,
    auth_required_by_payer: bool = False,
    payer_requires_auth: Callable[[str], bool] | None = None,
) -> BookingCheck:
    """Whether a visit on ``day`` would be covered, with every reason it would not be.

    An authorization is required when the caller says so, when the latest benefits
    snapshot says so, or when ``payer_requires_auth`` (the payer's ``auth_required`` in
    ptrcm.toml) says so for the primary coverage's payer.
    """
    patient_id = repo.patient_id(patient)
    if patient_id is None:
        raise InputError.one("--patient", None, "patient", f"{patient!r} is not on file")
    if discipline not in ("PT", "OT", "SLP"):
        raise InputError.one("--discipline", None, "discipline", "must be PT, OT or SLP")
    alerts: list[Alert] = []
    coverage = primary_coverage_of(repo.coverages(patient_id))
    snapshot = None
    if coverage is None:
        alerts.append(Alert("no_coverage", "no coverage on file", day, "add the patient's "
                            "insurance, or agree self-pay", blocking=True))  # fmt: skip
    else:
        snapshot = repo.latest_snapshot(int(coverage["id"]), day)
        alerts += _eligibility(snapshot, coverage["payer_class"], day, repo, patient_id)
    next_allowed = planned_allowed(codes) if codes else None
    status = cap_status(repo, patient_id, discipline, day, next_visit_allowed=next_allowed)
    alerts += [a for a in status.alerts if not a.kind.startswith("auth_")]
    required = auth_required_by_payer or bool(snapshot and snapshot["authorization_required"])
    if coverage is not None and payer_requires_auth is not None:
        required = required or payer_requires_auth(str(coverage["payer_external_id"]))
    alerts += _authorization(status.authorizations, day, codes, required)
    plan = current_plan(repo, patient_id, discipline, day)
    facts = None if plan is None else plan_facts(repo, plan, day)
    if facts is not None:
        # The day itself is the proposed visit: not yet a treatment day.
        facts = _without_day(facts, day)
    alerts += booking_plan_alerts(facts, day)
    kx = status.kx is not None and status.kx.modifier_needed
    return BookingCheck(patient, day, discipline, tuple(alerts), kx)


def _without_day(facts: Any, day: date) -> Any:
    from dataclasses import replace

    return replace(facts, treatment_days=tuple(d for d in facts.treatment_days if d != day))


def _eligibility(
    snapshot: Any, payer_class: str | None, day: date, repo: FrontDeskStore, patient_id: int
) -> list[Alert]:
    kept = repo.kept_visits(patient_id)
    first = not any(v["date_of_service"] < day for v in kept)
    due = verification_alert(latest_verification(snapshot, kept, day), payer_class, day, first)
    alerts = [] if due is None else [due]
    if snapshot is None:
        return alerts
    for rejection in snapshot["rejections"] or []:
        reason = f"eligibility request rejected: {rejection['reason']} {rejection['meaning']}"
        alerts.append(Alert("eligibility_rejected", reason, day, VERIFY_ACTION, blocking=True))
    if snapshot["active"] is False:
        alerts.append(
            Alert("inactive", "coverage is not active", day, "update the patient's insurance",
                  blocking=True)
        )  # fmt: skip
    for bound, after in ((snapshot["plan_start"], False), (snapshot["plan_end"], True)):
        if bound is not None and ((day > bound) if after else (day < bound)):
            alerts.append(
                Alert("outside_plan", f"the visit is outside the plan dates ({bound})", day,
                      "update the patient's insurance", blocking=True)
            )  # fmt: skip
    return alerts


def _authorization(
    uses: Any, day: date, codes: dict[str, int] | None, required: bool
) -> list[Alert]:
    wanted = list(codes or {})
    fitting = [u for u in uses if u.in_window(day) and u.covers_codes(wanted)]
    usable = [u for u in fitting if not u.exhausted]
    if usable:
        best = min(usable, key=lambda u: u.end or date.max)
        return [a for a in authorization_alerts(best, day) if not a.blocking]
    if fitting:
        return [a for a in authorization_alerts(fitting[0], day)]
    if required or uses:
        return [Alert("auth_missing", "no authorization covers this visit", day, AUTH_ACTION, True)]
    return []
