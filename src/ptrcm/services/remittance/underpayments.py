"""Expected payment against what the payer allowed: contract schedules and underpayments.

* ``import_contract`` stores a payer's fee schedule (CSV ``code,allowed``) as a new
  version, with its terms (MPPR, CQ/CO reduction, sequestration rate) as parameters.
* ``check_claim`` runs while a claim is posted: each paid line's allowed amount is
  AMT*B6 when the payer sent it, else paid + patient responsibility (group PR) +
  sequestration (CARC 253, which reduces the payment, not the allowance). The expected
  allowed amount comes from ``domain.contracts.expected_allowed`` with the payer's newest
  stored schedule in force on the date of service, or the default contract of its payer
  class (``default_contract``: Medicare's national PFS amounts), and with the patient's
  lines of the same day on the payer's other claims (``same_day_lines``), so MPPR keeps
  one full-PE unit per patient and day across claims. Lines with a denial adjustment are
  left to the denial queue.
* Tolerance: none. A line allowed even one cent below the expected amount is underpaid and
  goes to the ``underpayment`` queue with the variance, the schedule name and version, and
  every step of the expected amount.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.contracts import (
    Contract,
    LineExpectation,
    default_contract,
    expected_allowed,
)
from ptrcm.domain.denials import classify_adjustment
from ptrcm.domain.fees import FeeSchedule, parse_fee_schedule
from ptrcm.domain.money import Money
from ptrcm.domain.stored_claims import ClaimRecord, LineRecord
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InputError
from ptrcm.services.claims.building import stored_lines
from ptrcm.services.money_in_ports import MoneyInUnitOfWork, MoneyInWork
from ptrcm.services.remittance.lines import MatchedLine
from ptrcm.x12.remit835.model import ServicePayment

SEQUESTRATION_CARC = "253"
EXPECTATIONS_KEPT = 4096  # distinct (contract, lines) expectations kept while posting a file


@dataclass(frozen=True, slots=True)
class ContractImport:
    schedule_id: int
    version: int
    codes: int


def import_contract(
    unit_of_work: MoneyInWork,
    payer: str,
    path: str | os.PathLike[str],
    parameters: Mapping[str, Any],
    *,
    name: str | None = None,
    effective_from: date | None = None,
) -> ContractImport:
    """Store the CSV at ``path`` as the payer's next schedule version."""
    p = Path(path)
    if not p.is_file():
        raise InputError.one(str(path), None, None, "no such file")
    data = p.read_bytes()
    schedule = parse_fee_schedule(data.decode("utf-8-sig"), str(path))
    rates = {code: amount.amount for code, amount in schedule.allowed.items()}
    with unit_of_work() as uow:
        payer_id = uow.remits.payer_ids().get(payer)
        if payer_id is None:
            raise InputError.one(str(path), None, "PAYER", f"payer {payer!r} is not on file")
        sid, version = uow.contracts.add_schedule(
            payer_id,
            name or p.stem,
            p.name,
            hashlib.sha256(data).hexdigest(),
            rates,
            parameters,
            effective_from,
        )
        uow.commit()
    return ContractImport(sid, version, len(rates))


ContractTerms = tuple[Contract, str, int | None, int | None]


def contract_for(uow: MoneyInUnitOfWork, record: ClaimRecord, config: Config) -> ContractTerms:
    """The payer's contract on the claim's date of service, its name, version and id."""
    payer = config.payer(record.payer_external_id)
    payer_class = payer.payer_class if payer else "commercial"
    stored = uow.contracts.current(record.payer_id, record.first_date_of_service)
    if stored is None:
        contract = default_contract(record.payer_external_id, payer_class)
        schedule = contract.fee_schedule
        return contract, schedule.name if schedule else "percent of charges", None, None
    params = stored["parameters"] or {}
    label = f"{stored['name']} v{stored['version']}"
    rates = {code: Money(amount) for code, amount in stored["rates"].items()}
    base = default_contract(
        record.payer_external_id,
        payer_class,
        FeeSchedule(label, rates),
        sequestration_rate=Decimal(str(params.get("sequestration_rate", "0"))),
    )
    contract = replace(
        base,
        mppr=bool(params.get("mppr", base.mppr)),
        assistant_reduction=bool(params.get("assistant_reduction", base.assistant_reduction)),
    )
    return contract, str(stored["name"]), int(stored["version"]), int(stored["id"])


def actual_allowed(line: ServicePayment) -> Decimal:
    """AMT*B6 when sent; else paid + group PR + sequestration (CARC 253)."""
    if line.allowed is not None:
        return line.allowed.amount
    extra = sum(
        (
            a.amount.amount
            for a in line.adjustments
            if a.group == "PR" or a.reason == SEQUESTRATION_CARC
        ),
        Decimal("0.00"),
    )
    return line.paid.amount + extra


def same_day_lines(
    uow: MoneyInUnitOfWork, records: Sequence[ClaimRecord]
) -> dict[int, tuple[ClaimLine, ...]]:
    """For each claim, the lines its patient has on its dates of service on the other
    claims to the same payer (one query for all ``records``): MPPR keeps one full-PE unit
    per patient and day across claims and disciplines, so expected amounts need them.

    The payer applies MPPR to the claims it adjudicates, so only that payer's claims
    count; rejected, voided and corrected claims do not."""
    days = {ln.date_of_service for r in records for ln in r.lines}
    found = uow.claims.lines_on_days({r.patient_id for r in records}, days)
    by_key: dict[tuple[int, int], list[tuple[int, LineRecord]]] = {}
    for claim_id, patient_id, payer_id, line in found:
        by_key.setdefault((patient_id, payer_id), []).append((claim_id, line))
    billed: dict[int, ClaimLine] = {}  # by line id: converted once, when another claim has it
    out: dict[int, tuple[ClaimLine, ...]] = {}
    for r in records:
        mine = {ln.date_of_service for ln in r.lines}
        theirs = [
            ln
            for claim_id, ln in by_key.get((r.patient_id, r.payer_id), ())
            if claim_id != r.id and ln.date_of_service in mine
        ]
        for ln in theirs:
            if ln.id not in billed:
                (billed[ln.id],) = stored_lines((ln,), None)
        if theirs:
            out[r.id] = tuple(billed[ln.id] for ln in theirs)
    return out


def check_claim(
    uow: MoneyInUnitOfWork,
    record: ClaimRecord,
    matched: Sequence[MatchedLine],
    line_payment_ids: Sequence[int],
    config: Config,
    cache: dict[tuple[int, date], ContractTerms] | None = None,
    others: Sequence[ClaimLine] = (),
    expectations: dict[Any, dict[int, LineExpectation]] | None = None,
) -> int:
    """Queue every underpaid line of one posted claim; returns how many were queued.

    ``cache`` keeps contracts by (payer, date of service) for the length of one file,
    ``expectations`` the expected amounts by contract and billed lines (a large 835 pays
    the same line sets over and over; the amounts are a function of the contract, the
    lines and ``others``). ``others``: the patient's lines of the same dates on the
    payer's other claims (``same_day_lines``), for MPPR across claims.
    """
    cache = {} if cache is None else cache
    key = (record.payer_id, record.first_date_of_service)
    if key not in cache:
        cache[key] = contract_for(uow, record, config)
    contract, name, version, schedule_id = cache[key]
    ours = stored_lines(record.lines, None)  # what was billed, as stored
    expectations = {} if expectations is None else expectations
    known = (key, ours, tuple(others))
    expected = expectations.get(known)
    if expected is None:
        expected = {e.line_number: e for e in expected_allowed(ours, contract, others)}
        if len(expectations) >= EXPECTATIONS_KEPT:
            expectations.clear()  # memory stays bounded whatever the file's size
        expectations[known] = expected
    rows = []
    for item, line_payment_id in zip(matched, line_payment_ids, strict=True):
        if item.ours is None or _denied(item.line):
            continue
        want = expected[item.ours.line_number]
        got = actual_allowed(item.line)
        variance = want.allowed.amount - got
        if variance <= 0:
            continue
        reason = (
            f"claim {record.pcn} line {item.ours.line_number} {item.ours.code}: allowed"
            f" {got:.2f}, expected {want.allowed} by {name}"
            + (f" v{version}" if version else "")
            + f"; short {variance:.2f}"
        )
        work_id = uow.work.add(WorkItem("underpayment", reason, record.id, variance))
        rows.append(
            {
                "work_item_id": work_id,
                "claim_id": record.id,
                "line_payment_id": line_payment_id,
                "schedule_id": schedule_id,
                "code": item.ours.code,
                "expected_allowed": want.allowed.amount,
                "actual_allowed": got,
                "variance": variance,
                "schedule_name": name[:120],
                "schedule_version": version,
                "steps": [s.explain() for s in want.steps],
            }
        )
    uow.underpayments.add(rows)
    return len(rows)


def _denied(line: ServicePayment) -> bool:
    return any(classify_adjustment(a.group, a.reason).is_denial for a in line.adjustments)
