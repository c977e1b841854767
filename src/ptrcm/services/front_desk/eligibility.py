"""Eligibility and benefits: 270 requests for upcoming appointments, 271 responses posted
into dated benefits snapshots per coverage, manual snapshots for payers without electronic
eligibility, and when a coverage must be verified again.

Our 270 traces read ``E<coverage row id>-<discipline>``; a 271 echoes the trace, which
finds the coverage. Without a trace of ours the member id (NM1*IL) finds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.caps import Alert, plan_year_start
from ptrcm.domain.visits import Person
from ptrcm.errors import InputError
from ptrcm.services.front_desk.benefits_reading import snapshot_fields
from ptrcm.services.ports import EligibilityUnitOfWork, FrontDeskStore, FrontDeskUnitOfWork, Row
from ptrcm.x12.eligibility.benefits271 import BenefitsDocument
from ptrcm.x12.eligibility.write270 import EligibilityInquiry, service_types_for, write_270
from ptrcm.x12.envelope import EnvelopeSettings
from ptrcm.x12.read import read_x12

FIRST_VISIT_FRESH_DAYS = 7
VERIFY_ACTION = "verify eligibility and benefits (270/271 or a call to the payer)"


@dataclass(frozen=True, slots=True)
class PostResult:
    snapshots: int
    unmatched: int
    rejected: int


def _trace_coverage(traces: tuple[str, ...]) -> tuple[int | None, str | None]:
    for trace in traces:
        head, _, discipline = trace.partition("-")
        if head.startswith("E") and head[1:].isdigit():
            return int(head[1:]), discipline or None
    return None, None


def post_271(
    uow: EligibilityUnitOfWork,
    data: str | bytes,
    source: str,
    verified_on: date,
    coverage_member_id: str | None = None,
) -> PostResult:
    """Post every member of a 271 file as a benefits snapshot of its coverage.

    A transaction rejected before any member (AAA at the payer or receiver level) is posted
    on the coverage named by ``coverage_member_id``, when given. ``InputError`` when the file
    is not a 271.
    """
    doc = read_x12(data, source)
    if not isinstance(doc, BenefitsDocument):
        raise InputError.one(source, None, "ST01", f"expected a 271 file, found {doc.kind}")
    repo = uow.front_desk
    by_id = {int(c["id"]): c for c in repo.coverages()}
    posted = unmatched = rejected = 0
    for tx in doc.transactions:
        subscriber_id = ""
        for member in tx.members:
            own_id = member.name.id if member.name else ""
            if member.level == "subscriber":
                subscriber_id = own_id
            if not member.benefits and not member.rejections and not tx.rejections:
                continue  # a subscriber level that only introduces its dependent
            coverage_id, discipline = _trace_coverage(member.traces)
            coverage = by_id.get(coverage_id) if coverage_id is not None else None
            coverage = coverage or repo.coverage_by_member(own_id or subscriber_id)
            if coverage is None:
                unmatched += 1
                continue
            fields = snapshot_fields(member, discipline, tx.rejections)
            rejected += bool(fields.rejections)
            trace = member.traces[0] if member.traces else None
            _add(repo, coverage, verified_on, "271", source, trace, fields.columns())
            posted += 1
        if not tx.members and tx.rejections:
            coverage = repo.coverage_by_member(coverage_member_id) if coverage_member_id else None
            if coverage is None:
                unmatched += 1
                continue
            fields = snapshot_fields(None, None, tx.rejections)
            _add(repo, coverage, verified_on, "271", source, None, fields.columns())
            posted, rejected = posted + 1, rejected + 1
    return PostResult(posted, unmatched, rejected)


def _add(
    repo: FrontDeskStore,
    coverage: Row,
    verified_on: date,
    kind: str,
    source: str | None,
    trace: str | None,
    columns: dict[str, Any],
) -> int:
    return repo.add_snapshot(
        {
            "coverage_id": coverage["id"],
            "patient_id": coverage["patient_id"],
            "verified_on": verified_on,
            "source": kind,
            "source_file": None if source is None else source[-255:],
            "trace": trace,
            **columns,
        }
    )


SNAPSHOT_FIELDS = frozenset(
    {
        "active", "plan_start", "plan_end", "plan_year_start", "copay", "coinsurance_rate",
        "deductible", "deductible_remaining", "oop_max", "oop_remaining", "visit_limit",
        "visits_used", "authorization_required",
    }
)  # fmt: skip


def record_manual(
    uow: EligibilityUnitOfWork, patient: str, payer: str | None, verified_on: date, **fields: Any
) -> int:
    """A snapshot entered by the front desk (a phone call, a payer portal)."""
    unknown = set(fields) - SNAPSHOT_FIELDS
    if unknown:
        raise InputError.one("eligibility record", None, sorted(unknown)[0], "unknown field")
    coverage = primary_coverage(uow, patient, payer)
    repo = uow.front_desk
    return _add(repo, coverage, verified_on, "manual", None, None, {**fields, "rejections": []})


def primary_coverage(uow: FrontDeskUnitOfWork, patient: str, payer: str | None = None) -> Row:
    """The patient's coverage with ``payer`` (or the primary one); ``InputError`` if none."""
    repo = uow.front_desk
    patient_id = repo.patient_id(patient)
    if patient_id is None:
        raise InputError.one("--patient", None, "patient", f"{patient!r} is not on file")
    rows = repo.coverages(patient_id)
    if payer is not None:
        rows = [r for r in rows if r["payer_external_id"] == payer]
    rows.sort(key=lambda r: ("primary", "secondary", "tertiary").index(r["rank"]))
    if not rows:
        raise InputError.one("--patient", None, "coverage", f"{patient!r} has no such coverage")
    return rows[0]


def verification_alert(
    snapshot: Row | None, payer_class: str | None, day: date, first_visit: bool
) -> Alert | None:
    """Whether the coverage must be verified again before a visit on ``day``.

    Never verified; verified in an earlier plan year (a new plan year resets deductibles
    and limits); Medicaid verified in an earlier calendar month (eligibility is monthly);
    or a first visit more than a week after the last verification.
    """
    if snapshot is None:
        return Alert("verify", "eligibility has never been verified", day, VERIFY_ACTION, True)
    verified: date = snapshot["verified_on"]
    anchor = snapshot["plan_year_start"]
    if anchor is not None and verified < plan_year_start(anchor, day):
        start = plan_year_start(anchor, day)
        reason = f"a new plan year starts {start}; benefits were verified {verified}"
        return Alert("verify", reason, start, VERIFY_ACTION)
    if payer_class == "medicaid" and (verified.year, verified.month) != (day.year, day.month):
        reason = f"Medicaid eligibility is monthly; last verified {verified}"
        return Alert("verify", reason, day.replace(day=1), VERIFY_ACTION)
    if first_visit and (day - verified).days > FIRST_VISIT_FRESH_DAYS:
        reason = f"first visit; benefits were verified {verified}"
        return Alert("verify", reason, day, VERIFY_ACTION)
    return None


def latest_verification(snapshot: Row | None, kept: Sequence[Row], day: date) -> Row | None:
    """The stored snapshot, or the EMR's own record of the last check when that is newer.

    A visit record names the day the front desk last verified the coverage
    (``eligibility_verified_on``) and the plan year its benefits count in; without a 271
    or a manual snapshot since, the latest such check on or before ``day`` is the
    verification a booking is measured against.
    """
    best: Row | None = None
    for visit in kept:
        record = visit["record"] or {}
        verified = _iso_day(record.get("eligibility_verified_on"))
        if verified is None or verified > day:
            continue
        if best is not None and verified <= best["verified_on"]:
            continue
        anchor = _iso_day((record.get("benefits") or {}).get("plan_year_start"))
        best = {"verified_on": verified, "plan_year_start": anchor}
    if best is None or (snapshot is not None and snapshot["verified_on"] >= best["verified_on"]):
        return snapshot
    return best


def _iso_day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _person(row: Row) -> Person:
    return Person(
        first_name=row["first_name"] or "",
        last_name=row["last_name"] or "",
        birth_date=row["birth_date"],
        sex=row["sex"] or "U",
    )


def request_270(
    uow: EligibilityUnitOfWork, config: Config, first_day: date, days: int = 1
) -> tuple[dict[str, str], list[str]]:
    """270 files (one per payer) for the scheduled appointments in ``days`` days from
    ``first_day``; and the payer ids that are not configured for electronic eligibility."""
    repo = uow.front_desk
    start = datetime.combine(first_day, time.min, UTC)
    booked = repo.appointments(start, start + timedelta(days=days))
    by_payer: dict[str, list[EligibilityInquiry]] = defaultdict(list)
    skipped: set[str] = set()
    seen: set[tuple[int, str]] = set()
    for appt in booked:
        rows = repo.coverages(int(appt["patient_id"]))
        if not rows:
            continue
        coverage = min(rows, key=lambda r: ("primary", "secondary", "tertiary").index(r["rank"]))
        discipline = appt["discipline"] or ""
        if (coverage["id"], discipline) in seen:
            continue
        seen.add((coverage["id"], discipline))
        payer_id = coverage["payer_external_id"]
        if config.payer(payer_id) is None or not coverage["member_id"]:
            skipped.add(payer_id)
            continue
        patient = repo.patient(int(appt["patient_id"]))
        person = _person(patient)
        dependent = coverage["relationship"] != "self"
        subscriber = (
            Person(
                first_name=coverage["subscriber_first_name"] or "",
                last_name=coverage["subscriber_last_name"] or "",
                birth_date=coverage["subscriber_birth_date"],
            )
            if dependent
            else person
        )
        by_payer[payer_id].append(
            EligibilityInquiry(
                trace=f"E{coverage['id']}-{discipline}" if discipline else f"E{coverage['id']}",
                subscriber=subscriber,
                member_id=coverage["member_id"],
                as_of=appt["scheduled_start"].date(),
                service_types=service_types_for(discipline),
                dependent=person if dependent else None,
            )
        )
    files = {}
    for payer_id, inquiries in sorted(by_payer.items()):
        payer = config.payer(payer_id)
        if payer is None:  # filtered above; kept for the type checker
            continue
        files[payer_id] = write_270(
            inquiries, payer, config.clinic, _envelope(config, payer.payer_code),
            _StoreControls(uow), uow.clock(),
        )  # fmt: skip
    return files, sorted(skipped)


def _envelope(config: Config, receiver: str) -> EnvelopeSettings:
    x12 = config.x12
    return EnvelopeSettings(
        sender_id=str(x12.get("sender_id", config.clinic.tin)),
        receiver_id=str(x12.get("receiver_id", receiver)),
        submitter_name=config.clinic.name,
        contact_name=str(x12.get("contact_name", "Front desk")),
        contact_phone=str(x12.get("contact_phone", "0000000000")),
        usage=str(x12.get("usage", "P")),
    )


class _StoreControls:
    """ISA/GS/ST control numbers from the organization's counters."""

    def __init__(self, uow: EligibilityUnitOfWork) -> None:
        self.numbers = uow.control_numbers

    def next_interchange(self) -> int:
        return self.numbers.next("ISA")

    def next_group(self) -> int:
        return self.numbers.next("GS")

    def next_transaction(self) -> int:
        return self.numbers.next("ST")


def coinsurance(value: str | None) -> Decimal | None:
    """A coinsurance rate from "20%" or "0.20"; ``InputError`` unless it is from 0 to 1."""
    if value is None:
        return None
    text = value.strip()
    try:
        rate = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise InputError.one("--coinsurance", None, "coinsurance", f"{value!r} is not a rate")
    return rate
