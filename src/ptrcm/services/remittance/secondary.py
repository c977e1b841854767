"""Secondary claims from a posted 835: the primary payer's adjudication travels on an 837P
with COB loops (2320/2330/2430) to the patient's secondary payer.

The secondary payer comes from the patient's coverage rows (rank ``secondary``, in force
on the date of service) or, failing that, from the ``secondary`` object of the stored
visit record. The claim is not made again: it carries the primary claim's stored lines
(same codes, modifiers, units, charges and line numbers), so REF*6R keys the primary's
line decisions, with the secondary payer and member id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from ptrcm.config import Config
from ptrcm.domain.adjudication import Adjustment, LineAdjudication, PrimaryAdjudication
from ptrcm.domain.claims import Claim
from ptrcm.domain.codes import Catalog
from ptrcm.domain.stored_claims import ClaimRecord
from ptrcm.domain.visits import SecondaryCoverage, Visit
from ptrcm.services.claims.building import secondary_claim, stored_claim
from ptrcm.services.claims.output import envelope_settings
from ptrcm.services.money_in_ports import MoneyInUnitOfWork
from ptrcm.services.remittance.lines import MatchedLine
from ptrcm.x12.claim837.professional import Billing, write_837p
from ptrcm.x12.envelope import ControlNumbers
from ptrcm.x12.remit835 import model as rm


@dataclass(frozen=True, slots=True)
class SecondaryClaim:
    claim: Claim
    adjudication: PrimaryAdjudication


class StoreControlNumbers:
    """ISA/GS/ST numbers from the organization's counters in the store."""

    def __init__(self, uow: MoneyInUnitOfWork) -> None:
        self.uow = uow

    def next_interchange(self) -> int:
        return self.uow.control_numbers.next("ISA")

    def next_group(self) -> int:
        return self.uow.control_numbers.next("GS")

    def next_transaction(self) -> int:
        return self.uow.control_numbers.next("ST") % 10_000 or 1


def _adjustment(adj: rm.Adjustment) -> Adjustment:
    qty = adj.quantity
    whole = int(qty) if qty is not None and qty == qty.to_integral_value() else None
    return Adjustment(adj.group, adj.reason, adj.amount, whole)


def primary_adjudication(
    claim: rm.ClaimPayment,
    matched: Sequence[MatchedLine],
    payer_id: str,
    member_id: str,
    paid_date: date,
) -> PrimaryAdjudication:
    """The primary payer's decision on one claim, as the secondary 837 reports it."""
    lines = []
    for item in matched:
        if item.ours is None:
            continue
        line = item.line
        units = line.units if line.units is not None else Decimal(1)
        lines.append(
            LineAdjudication(
                line_number=item.ours.line_number,
                code=line.procedure.code,
                paid=line.paid,
                units=int(units),
                adjustments=tuple(_adjustment(a) for a in line.adjustments),
                modifiers=line.procedure.modifiers,
            )
        )
    return PrimaryAdjudication(
        payer_id=payer_id,
        member_id=member_id,
        paid_date=paid_date,
        paid=claim.paid,
        adjustments=tuple(_adjustment(a) for a in claim.adjustments),
        lines=tuple(lines),
        payer_claim_number=claim.payer_claim_control_number or None,
        remark_codes=tuple(r.code for r in claim.remarks),
    )


def _visit_ids(record: ClaimRecord) -> list[str]:
    return [str(v) for v in record.document.get("visit_ids") or ()] or [record.pcn]


class SecondaryLookup:
    """What a secondary claim is built from, per claim: its stored visit and the patient's
    secondary coverage on its first date of service. ``prefetch`` reads them for many
    claims at once (posting does, per transaction); anything not prefetched is read when
    asked. Neither changes while a remittance is posted, so each is read once."""

    def __init__(self, uow: MoneyInUnitOfWork) -> None:
        self.uow = uow
        self.visits: dict[str, Visit | None] = {}
        self.coverages: dict[tuple[int, date], tuple[str, str | None] | None] = {}

    def prefetch(self, records: Sequence[ClaimRecord]) -> None:
        ids = sorted({i for r in records for i in _visit_ids(r)} - self.visits.keys())
        if ids:
            found = self.uow.visits.get_many(ids)
            self.visits.update({i: found.get(i) for i in ids})
        keys = sorted({(r.patient_id, r.first_date_of_service) for r in records})
        keys = [k for k in keys if k not in self.coverages]
        if keys:
            covered = self.uow.coverage.secondaries(keys)
            self.coverages.update({k: covered.get(k) for k in keys})

    def visit(self, record: ClaimRecord) -> Visit | None:
        """The claim's first stored visit (by its document's visit ids, else its PCN)."""
        for i in _visit_ids(record):
            if i not in self.visits:
                self.visits[i] = self.uow.visits.get(i)
            if self.visits[i] is not None:
                return self.visits[i]
        return None

    def coverage(self, record: ClaimRecord) -> tuple[str, str | None] | None:
        key = (record.patient_id, record.first_date_of_service)
        if key not in self.coverages:
            self.coverages[key] = self.uow.coverage.secondary(*key)
        return self.coverages[key]


def stored_visit(uow: MoneyInUnitOfWork, record: ClaimRecord) -> Visit | None:
    return SecondaryLookup(uow).visit(record)


def secondary_for(
    uow: MoneyInUnitOfWork,
    record: ClaimRecord,
    claim: rm.ClaimPayment,
    matched: Sequence[MatchedLine],
    paid_date: date,
    config: Config,
    catalog: Catalog,
    lookup: SecondaryLookup | None = None,
) -> SecondaryClaim | str | None:
    """The secondary claim to send, None when the patient has no secondary coverage, or
    a reason (text, ids only) when one is due but cannot be built."""
    lookup = lookup or SecondaryLookup(uow)
    covered = lookup.coverage(record)
    visit = lookup.visit(record)
    if covered is not None and visit is not None:
        visit = replace(visit, secondary=SecondaryCoverage(covered[0], covered[1]))
    if visit is None:
        return None if covered is None else f"claim {record.pcn}: no stored visit to bill"
    if visit.secondary is None:
        return None
    if config.payer(visit.secondary.payer_id) is None:
        return f"claim {record.pcn}: secondary payer {visit.secondary.payer_id} not configured"
    primary = stored_claim(visit, record.pcn, record.lines)
    built = secondary_claim(primary, visit.secondary.payer_id, visit.secondary.member_id)
    member = visit.member_id or ""
    adjudication = primary_adjudication(claim, matched, visit.payer_id, member, paid_date)
    return SecondaryClaim(built, adjudication)


def secondary_file(
    items: Sequence[SecondaryClaim], config: Config, controls: ControlNumbers, now: datetime
) -> str:
    """One 837P file holding every secondary claim (one transaction set per payer)."""
    claims = [i.claim for i in items]
    billing = Billing(
        clinic=config.clinic,
        payers=config.payers,
        adjudications={i.claim.claim_id: i.adjudication for i in items},
    )
    return write_837p(claims, billing, envelope_settings(config, claims), controls, now)
