"""Patient statements from the ledger: each service, what insurance paid and adjusted, the
patient's share, the patient's payments and refunds, and the amount due.

The amount due is the ledger's patient balance (patient responsibility plus patient
payments plus refunds) to the cent: the statement's lines are the same entries grouped.
A payment is applied to the claims the patient was actually billed on a statement still
in force, oldest first; what is left stays on account as a credit. A refund is a new
ledger entry: earlier payments are never changed. A corrected statement is a new
statement that names the one it replaces; the replaced one is kept as ``superseded``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.config import Clinic
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.statements import Letterhead, Party, Statement, StatementLine
from ptrcm.domain.visits import Address
from ptrcm.errors import InputError
from ptrcm.services.front_desk.statement_render import write_files
from ptrcm.services.ports import StatementStore, StatementsUnitOfWork

ZERO = Decimal("0.00")
PAYMENT, REFUND, RESPONSIBILITY = "patient_payment", "patient_refund", "patient_responsibility"


def _patient(uow: StatementsUnitOfWork, patient: str) -> int:
    return int(_patient_row(uow, patient)["id"])


def _patient_row(uow: StatementsUnitOfWork, patient: str) -> dict[str, Any]:
    found = uow.master.get("patients", patient)
    if found is None:
        raise InputError.one("--patient", None, "patient", f"{patient!r} is not on file")
    return dict(found)


def _address_lines(line1: Any, line2: Any, city: Any, state: Any, zip_code: Any) -> tuple[str, ...]:
    zip_text = str(zip_code or "")
    if len(zip_text) == 9 and zip_text.isdigit():
        zip_text = f"{zip_text[:5]}-{zip_text[5:]}"
    place = " ".join(x for x in (f"{city}," if city else "", state or "", zip_text) if x)
    return tuple(str(x) for x in (line1, line2, place) if x)


def letterhead_of(clinic: Clinic) -> Letterhead:
    """The statements' letterhead from ``[clinic]``: name, address and phone; the remit-to
    address (``clinic.remit_to``, else the clinic's own)."""

    def lines(a: Address) -> tuple[str, ...]:
        return _address_lines(a.line1, a.line2, a.city, a.state, a.zip)

    sender = Party(clinic.name, lines(clinic.address), clinic.phone)
    return Letterhead(sender, Party(clinic.name, lines(clinic.remit_to or clinic.address)))


def _addressee(patient: str, row: dict[str, Any]) -> Party:
    name = " ".join(str(x) for x in (row.get("first_name"), row.get("last_name")) if x)
    where = _address_lines(row.get("line1"), row.get("line2"), row.get("city"),
                           row.get("state"), row.get("zip"))  # fmt: skip
    return Party(name or patient, where)


def build_statement(
    uow: StatementsUnitOfWork,
    patient: str,
    statement_date: date,
    letterhead: Letterhead | None = None,
) -> Statement:
    """The statement's lines from the ledger, addressed to the patient as on file, under
    ``letterhead`` (nothing is written)."""
    row = _patient_row(uow, patient)
    repo = uow.statements
    entries = repo.claim_entries(int(row["id"]))
    lines_by_id = repo.lines(
        sorted({int(e["claim_line_id"]) for e in entries if e["claim_line_id"]})
    )
    groups: dict[tuple[int | None, int | None], dict[str, Any]] = {}
    for entry in entries:
        line_id = entry["claim_line_id"] if entry["account"] not in (PAYMENT, REFUND) else None
        key = (entry["claim_id"], line_id)
        group = groups.setdefault(
            key, {"entries": [], "pcn": entry["pcn"], "day": entry["claim_date"]}
        )
        group["entries"].append(entry)
    out = []
    for (claim_id, line_id), group in groups.items():
        line = lines_by_id.get(line_id) if line_id is not None else None
        sums = _sums(group["entries"])
        if line is not None:
            description = f"{line['code']} x{line['units']}"
            day, charge = line["date_of_service"], line["charge_amount"]
        else:
            description = "payments and refunds" if sums["paid"] or not claim_id else "claim-level"
            day, charge = group["day"], ZERO
        out.append(
            StatementLine(
                claim=group["pcn"] or "on account", claim_id=claim_id, day=day,
                description=description, charge=charge, insurance_paid=sums["insurance"],
                insurance_adjusted=sums["adjusted"], patient_share=sums["share"],
                patient_paid=sums["paid"],
            )
        )  # fmt: skip
    out.sort(key=lambda ln: (ln.day or date.max, ln.claim, ln.description))
    return Statement(
        patient,
        statement_date,
        tuple(out),
        letterhead=letterhead,
        addressee=_addressee(patient, row),
    )


def _sums(entries: list[dict[str, Any]]) -> dict[str, Decimal]:
    sums = {"insurance": ZERO, "adjusted": ZERO, "share": ZERO, "paid": ZERO}
    for e in entries:
        account, amount = e["account"], e["amount"]
        if account == "payer_payment":
            sums["insurance"] += amount
        elif account.startswith("adjustment_"):
            sums["adjusted"] += amount
        elif account == RESPONSIBILITY:
            sums["share"] += amount
        elif account in (PAYMENT, REFUND):
            sums["paid"] += amount
    return sums


def issue_statement(
    uow: StatementsUnitOfWork,
    patient: str,
    statement_date: date,
    out_dir: Path | None = None,
    *,
    replaces: int | None = None,
    reason: str | None = None,
    letterhead: Letterhead | None = None,
) -> Statement:
    """Store a statement and its lines; write HTML and PDF into ``out_dir`` when given."""

    repo = uow.statements
    draft = replace(build_statement(uow, patient, statement_date, letterhead), replaces=replaces)
    statement_id = repo.add_statement(
        {
            "patient_id": _patient(uow, patient),
            "statement_date": statement_date,
            "due_date": draft.due_date,
            "balance": draft.amount_due,
            "state": "issued",
        }
    )
    files: tuple[str, ...] = ()
    if out_dir is not None:
        files = write_files(draft, statement_id, out_dir)
    repo.add_issue(
        {
            "statement_id": statement_id,
            "replaces_statement_id": replaces,
            "reason": reason,
            "lines": [ln.as_json() for ln in draft.lines],
            "html_file": files[0][-255:] if files else None,
            "pdf_file": files[1][-255:] if files else None,
        }
    )
    if replaces is not None:
        repo.set_state(replaces, "superseded")
    return replace(draft, statement_id=statement_id, files=files)


def reissue_statement(
    uow: StatementsUnitOfWork, patient: str, statement_id: int, statement_date: date, reason: str,
    out_dir: Path | None = None, letterhead: Letterhead | None = None,
) -> Statement:  # fmt: skip
    """A corrected statement replacing ``statement_id``; the old one stays, superseded."""
    repo = uow.statements
    mine = {int(s["id"]) for s in repo.statements(_patient(uow, patient))}
    if statement_id not in mine:
        raise InputError.one("--statement", None, "statement", "not a statement of this patient")
    return issue_statement(
        uow, patient, statement_date, out_dir, replaces=statement_id, reason=reason,
        letterhead=letterhead,
    )  # fmt: skip


def generate_all(
    uow: StatementsUnitOfWork, statement_date: date, out_dir: Path,
    letterhead: Letterhead | None = None,
) -> list[Statement]:  # fmt: skip
    """A statement for every patient whose ledger balance is not zero."""
    repo = uow.statements
    ids = repo.patients_with_balance()
    names = {int(p["id"]): str(p["external_id"]) for p in repo.patients(ids)}
    return [
        issue_statement(uow, names[i], statement_date, out_dir, letterhead=letterhead) for i in ids
    ]


def apply_payment(
    uow: StatementsUnitOfWork, patient: str, amount: Decimal, received_on: date,
    method: str = "card", reference: str | None = None,
) -> list[tuple[str, Decimal]]:  # fmt: skip
    """Apply a patient payment to the claims billed on statements in force, oldest first.

    Returns (claim PCN or "on account", amount applied) pairs; each is a ledger entry
    (negative: it lowers the balance) and a patient payment row.
    """
    if amount <= 0:
        raise InputError.one("--amount", None, "amount", "a payment must be positive")
    patient_id = _patient(uow, patient)
    repo = uow.statements
    billed: dict[int, int] = {}
    for stmt in repo.statements(patient_id):
        if stmt["state"] == "issued":
            for line in stmt["lines"] or []:
                if line["claim_id"] is not None:
                    billed.setdefault(int(line["claim_id"]), int(stmt["id"]))
    open_by_claim: dict[int, tuple[date, str, Decimal]] = {}
    for ln in build_statement(uow, patient, received_on).lines:
        if ln.claim_id in billed:
            day, pcn, owed = open_by_claim.get(ln.claim_id, (ln.day or date.max, ln.claim, ZERO))
            open_by_claim[ln.claim_id] = (
                min(day, ln.day or date.max),
                pcn,
                owed + ln.patient_share + ln.patient_paid,
            )
    left, applied = amount, []
    at = datetime.combine(received_on, time(12, 0), UTC)
    for claim_id, (_day, pcn, owed) in sorted(open_by_claim.items(), key=lambda kv: kv[1][0]):
        part = min(left, owed)
        if part <= 0:
            continue
        _record_payment(
            uow, repo, patient_id, part, claim_id, billed[claim_id], at, method, reference
        )
        applied.append((pcn, part))
        left -= part
    if left > 0:
        _record_payment(uow, repo, patient_id, left, None, None, at, method, reference)
        applied.append(("on account", left))
    return applied


def _record_payment(
    uow: StatementsUnitOfWork, repo: StatementStore, patient_id: int, amount: Decimal,
    claim_id: int | None, statement_id: int | None, at: datetime, method: str,
    reference: str | None,
) -> None:  # fmt: skip
    repo.add_payment(patient_id, amount, method, reference, at, claim_id, statement_id)
    memo = "patient payment" if claim_id else "patient payment on account (credit)"
    uow.ledger.append(
        [LedgerEntry(PAYMENT, -amount, at.date(), patient_id=patient_id, claim_id=claim_id,
                     source=f"payment {method}", memo=memo)]
    )  # fmt: skip


def refund(uow: StatementsUnitOfWork, patient: str, amount: Decimal, on: date, reason: str) -> int:
    """Money given back to the patient: a new ledger entry; earlier payments stay as they were."""
    if amount <= 0:
        raise InputError.one("--amount", None, "amount", "a refund must be positive")
    patient_id = _patient(uow, patient)
    entry = LedgerEntry(REFUND, amount, on, patient_id=patient_id, source="refund", memo=reason)
    return uow.ledger.append([entry])[0]


def patient_balance(uow: StatementsUnitOfWork, patient: str) -> Decimal:
    repo = uow.statements
    return repo.patient_balance(_patient(uow, patient))
