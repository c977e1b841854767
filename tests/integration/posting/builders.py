"""Claims in a store and 835 files around them, for the posting tests.

Visits are imported into the store and their claims stored as submitted, the way a real
posting finds them. 835 files are written with ptrcm's own 835 writer from models built
here, so every amount in a test is one the test wrote down; 999 and 277CA files from their
segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ptrcm.bootstrap import build_context
from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.money import Money
from ptrcm.services.claims.building import build_claim
from ptrcm.services.remittance.posting import PostingOptions, PostingResult, post_remittance
from ptrcm.store.money_in_uow import MoneyInUnitOfWork, money_in_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import metadata
from ptrcm.x12.common import Reference
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings, Transaction, interchange
from ptrcm.x12.remit835 import model as rm
from ptrcm.x12.remit835.write import write_835

CONTEXT = build_context()
DOS = date(2026, 3, 2)
PAID_ON = date(2026, 3, 20)
NOW = datetime(2026, 3, 21, 15, 0, tzinfo=UTC)
ACKED_AT = datetime(2026, 3, 3, 8, 0)  # when the 999s and 277CAs here were written
SETTINGS = EnvelopeSettings("PAYER01", "123456789", "Payer", "Payer desk", "2175550100", usage="T")
PATIENT = {
    "first_name": "Ann",
    "last_name": "Reed",
    "birth_date": "1950-01-01",
    "sex": "F",
    "address": {"line1": "1 Elm St", "city": "Springfield", "state": "IL", "zip": "62704"},
}


def visit(
    visit_id: str,
    services: Sequence[tuple[str, int]],
    payer: str = "MEDICARE",
    secondary: dict[str, str] | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "visit_id": visit_id,
        "patient_id": f"P-{visit_id}",
        "date_of_service": DOS.isoformat(),
        "payer_id": payer,
        "member_id": "1EG4TE5MK73",
        "discipline": "PT",
        "rendering": {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"},
        "diagnoses": ["M54.16"],
        "patient": PATIENT,
        "services": [{"code": code, "minutes": minutes} for code, minutes in services],
    }
    if secondary is not None:
        record["secondary"] = secondary
    return record


def uow(store: Store, org_id: int) -> MoneyInUnitOfWork:
    return money_in_unit_of_work(store, org_id, "test", lambda: NOW)


def seed(store: Store, records: Sequence[dict[str, Any]], slug: str = "clinic") -> int:
    """An organization with these visits imported and their claims stored as submitted."""
    org_id = store.ensure_organization(slug)
    visits = [parse_visit(r, "seed", n) for n, r in enumerate(records, start=1)]
    with uow(store, org_id) as work:
        work.visits.upsert([SourcedVisit(v, "seed", n) for n, v in enumerate(visits, start=1)])
        claims = [build_claim(v, CONTEXT.config, CONTEXT.catalog) for v in visits]
        work.claims.add_claims(claims, state="submitted")
        work.commit()
    return org_id


def m(text: str) -> Money:
    return Money.of(text)


def cas(group: str, reason: str, amount: str, quantity: str | None = None) -> rm.Adjustment:
    return rm.Adjustment(group, reason, m(amount), None if quantity is None else Decimal(quantity))


def svc(
    code: str,
    charge: str,
    paid: str,
    *adjustments: rm.Adjustment,
    line: int | None = None,
    modifiers: tuple[str, ...] = ("GP",),
    original: rm.Procedure | None = None,
    remarks: tuple[str, ...] = (),
    allowed: str | None = None,
    units: str = "1",
    day: date = DOS,
) -> rm.ServicePayment:
    refs = () if line is None else (Reference("6R", str(line)),)
    amounts = () if allowed is None else (rm.AmountEntry("B6", m(allowed)),)
    return rm.ServicePayment(
        rm.Procedure("HC", code, modifiers),
        m(charge),
        m(paid),
        units=Decimal(units),
        original_procedure=original,
        dates=(rm.DateEntry("472", day),),
        adjustments=adjustments,
        references=refs,
        amounts=amounts,
        remarks=tuple(rm.Remark("HE", r) for r in remarks),
    )


def clp(
    pcn: str,
    status: str,
    charge: str,
    paid: str,
    *lines: rm.ServicePayment,
    adjustments: tuple[rm.Adjustment, ...] = (),
    responsibility: str | None = None,
    payer_claim: str = "PCN0001",
) -> rm.ClaimPayment:
    return rm.ClaimPayment(
        pcn,
        status,
        m(charge),
        m(paid),
        None if responsibility is None else m(responsibility),
        "MB",
        payer_claim,
        "11",
        "1",
        adjustments=adjustments,
        lines=lines,
    )


def plb(*items: tuple[str, str, str]) -> rm.ProviderAdjustment:
    return rm.ProviderAdjustment(
        "1234567893",
        date(2026, 12, 31),
        tuple(rm.ProviderAdjustmentItem(r, m(a), ref) for r, a, ref in items),
    )


def remittance(
    claims: Sequence[rm.ClaimPayment],
    total: str,
    provider: Sequence[rm.ProviderAdjustment] = (),
    trace: str = "EFT0001",
) -> rm.Remittance:
    return rm.Remittance(
        rm.Payment("I", m(total), "C", "ACH", PAID_ON),
        rm.Trace("1", trace, "1999999999"),
        rm.Party("PR", "MEDICARE PART B", "XV", "MCRPB"),
        rm.Party("PE", "RIVERSIDE REHAB", "XX", "1234567893"),
        tuple(claims),
        tuple(provider),
    )


def write(tmp: Path, name: str, *remits: rm.Remittance) -> Path:
    path = tmp / name
    text = write_835(list(remits), SETTINGS, CounterControlNumbers(), datetime(2026, 3, 20, 9, 0))
    path.write_text(text, encoding="ascii")
    return path


def post(store: Store, org_id: int, path: Path, outbox: Path | None = None) -> PostingResult:
    options = PostingOptions(CONTEXT.config, CONTEXT.catalog, outbox)
    return post_remittance(lambda: uow(store, org_id), path, options)


def row_counts(store: Store) -> dict[str, int]:
    """Rows in every table: what 'nothing changed' is checked against."""
    with store.engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in metadata.tables.items()
        }


def sums(store: Store, org_id: int, pcn: str | None = None) -> dict[str, Decimal]:
    """Ledger totals by account (for one claim when ``pcn`` is given)."""
    with uow(store, org_id) as work:
        claim_id = None if pcn is None else work.claims.by_pcn([pcn])[pcn].id
        out: dict[str, Decimal] = {}
        for entry in work.ledger.entries(claim_id):
            out[entry["account"]] = out.get(entry["account"], Decimal("0.00")) + entry["amount"]
        return out


def ack_999(tmp: Path, gs: int, st: int, status: str) -> Path:
    """A 999 answering set ``st`` of group ``gs``: accepted (``A``) or rejected (``R``,
    with an IK3/IK4 error on NM1 2010BA)."""
    body = [f"AK1*HC*{gs}*005010X222A1", f"AK2*837*{st:04d}*005010X222A1"]
    if status == "R":
        body += ["IK3*NM1*12*2010BA*8", "IK4*9*67*1", "IK5*R*5"]
    else:
        body += ["IK5*A"]
    body += [f"AK9*{status}*1*1*{0 if status == 'R' else 1}"]
    text = interchange(
        [Transaction("999", "005010X231A1", body)],
        "FC",
        "005010X231A1",
        SETTINGS,
        CounterControlNumbers(),
        ACKED_AT,
    )
    path = tmp / f"ack-{gs}-{status}.999"
    path.write_text(text, encoding="ascii")
    return path


def ack_277ca(tmp: Path, pcn: str, category: str, status_code: str) -> Path:
    """A 277CA giving claim ``pcn`` one status (category ``A1``...``A8``, status code)."""
    body = [
        "BHT*0085*08*REF1*20260305*1200*TH",
        "HL*1**20*1",
        "NM1*PR*2*MEDICARE*****PI*MCRPB",
        "TRN*1*T100",
        "DTP*050*D8*20260304",
        "DTP*009*D8*20260305",
        "HL*2*1*21*1",
        "NM1*41*2*RIVERSIDE REHAB*****46*123456789",
        "TRN*2*BATCH1",
        "STC*A1:20*20260305*WQ*110",
        "QTY*90*1",
        "AMT*YU*110",
        "HL*3*2*19*1",
        "NM1*85*2*RIVERSIDE REHAB*****XX*1234567893",
        "TRN*1*PROV1",
        "QTY*QA*1",
        "AMT*YU*110",
        "HL*4*3*PT",
        "NM1*QC*1*REED*ANN****MI*1EG4TE5MK73",
        f"TRN*2*{pcn}",
        f"STC*{category}:{status_code}:PR*20260305*U*110******Member id invalid",
        "REF*1K*PAYER555",
        "DTP*472*D8*20260302",
    ]
    text = interchange(
        [Transaction("277", "005010X214", body)],
        "HN",
        "005010X214",
        SETTINGS,
        CounterControlNumbers(),
        ACKED_AT,
    )
    path = tmp / f"ack-{pcn}-{category}.277"
    path.write_text(text, encoding="ascii")
    return path
