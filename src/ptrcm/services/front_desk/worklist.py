"""The daily work list: one list across eligibility, authorizations, caps, plans of care and
KX for the patients seen lately or booked, per location and role, each item with its
reason, due date and the action that resolves it.

Roles: eligibility, authorizations, visit limits, KX and estimates made without verified
benefits belong to the front desk; plan-of-care signatures, recertifications and progress
reports to the therapist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ptrcm.domain.caps import Alert
from ptrcm.services.front_desk.caps import cap_status, primary_coverage_of
from ptrcm.services.front_desk.eligibility import latest_verification, verification_alert
from ptrcm.services.front_desk.estimates import NOT_VERIFIED
from ptrcm.services.front_desk.plan_tracking import patient_plan_alerts
from ptrcm.services.ports import FrontDeskStore

RECENT_DAYS = 60
AHEAD_DAYS = 14
THERAPIST_KINDS = frozenset({"poc_signature", "poc_expired", "poc_recert", "progress_report"})


@dataclass(frozen=True, slots=True)
class WorkItem:
    patient: str
    location: str | None
    role: str
    kind: str
    reason: str
    due: date | None
    action: str
    blocking: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "patient": self.patient, "location": self.location, "role": self.role,
            "kind": self.kind, "reason": self.reason,
            "due": None if self.due is None else self.due.isoformat(),
            "action": self.action, "blocking": self.blocking,
        }  # fmt: skip


def role_of(kind: str) -> str:
    return "therapist" if kind in THERAPIST_KINDS else "front_desk"


def build_worklist(
    repo: FrontDeskStore,
    today: date,
    location: str | None = None,
    role: str | None = None,
) -> list[WorkItem]:
    """Open items for ``today``, most urgent first (blocking, then by due date)."""
    start = datetime.combine(today, time.min, UTC)
    booked = repo.appointments(start, start + timedelta(days=AHEAD_DAYS))
    next_visit: dict[int, tuple[date, str | None, str | None]] = {}
    for appt in booked:
        pid = int(appt["patient_id"])
        next_visit.setdefault(
            pid, (appt["scheduled_start"].date(), appt["location"], appt["discipline"])
        )
    patients = sorted(
        set(repo.patients_with_activity(today - timedelta(days=RECENT_DAYS), until=today))
    )
    names = repo.patient_external_ids(patients)
    items: list[WorkItem] = []
    for pid in patients:
        kept = repo.kept_visits(pid)
        day, where, discipline = next_visit.get(pid, (today, None, None))
        if where is None and kept:
            where = _location_name(repo, kept[-1]["location_id"])
        alerts = _alerts(
            repo, pid, today, day, discipline or (kept[-1]["discipline"] if kept else "PT"), kept
        )
        for alert in alerts:
            items.append(
                WorkItem(names.get(pid, str(pid)), where, role_of(alert.kind), alert.kind,
                         alert.reason, alert.due, alert.action, alert.blocking)
            )  # fmt: skip
    items += _unverified_estimates(repo, today, next_visit)
    items = [
        i for i in items
        if (location is None or i.location == location) and (role is None or i.role == role)
    ]  # fmt: skip
    return sorted(items, key=lambda i: (not i.blocking, i.due or date.max, i.patient, i.kind))


def _alerts(
    repo: FrontDeskStore, pid: int, today: date, day: date, discipline: str, kept: list[Any]
) -> list[Alert]:
    alerts: list[Alert] = []
    coverage = primary_coverage_of(repo.coverages(pid))
    if coverage is not None:
        snapshot = repo.latest_snapshot(int(coverage["id"]), day)
        first = not any(v["date_of_service"] < day for v in kept)
        latest = latest_verification(snapshot, kept, day)
        due = verification_alert(latest, coverage["payer_class"], day, first)
        if due is not None:
            alerts.append(due)
    alerts += cap_status(repo, pid, discipline, max(today, day)).alerts
    alerts += patient_plan_alerts(repo, pid, today)
    return alerts


def _unverified_estimates(
    repo: FrontDeskStore,
    today: date,
    next_visit: dict[int, tuple[date, str | None, str | None]],
) -> list[WorkItem]:
    """One item per patient and upcoming date whose latest estimate had no verified
    benefits: the patient was told no cost, and must be once benefits are verified."""
    latest = repo.estimate_statuses(today)
    open_ = sorted(key for key, status in latest.items() if status == NOT_VERIFIED)
    names = repo.patient_external_ids(sorted({pid for pid, _ in open_}))
    return [
        WorkItem(
            names.get(pid, str(pid)), next_visit.get(pid, (day, None, None))[1], "front_desk",
            "estimate_unverified",
            f"the estimate for {day.isoformat()} was made without verified benefits:"
            " no patient cost given",
            day, "verify eligibility and benefits, then estimate again", False,
        )
        for pid, day in open_
    ]  # fmt: skip


def _location_name(repo: FrontDeskStore, location_id: int | None) -> str | None:
    if location_id is None:
        return None
    return repo.location_external_id(location_id)
