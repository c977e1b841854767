"""Find a patient, and read the patient's whole account.

``find_patients`` pages through the patients meeting a ``PatientQuery`` (name prefix with
case and accents folded, birth date, member id, MRN); ``patient_account`` assembles one
patient's account from the store through the ``FindUnitOfWork`` port. Both write an audit
event for each patient they show (who read which patient's data, ARCHITECTURE §8); the
caller commits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ptrcm.domain.patient_accounts import (
    AccountAdjustment,
    AccountAuthorization,
    AccountClaim,
    AccountEstimate,
    AccountPlan,
    AccountStatement,
    AccountVisit,
    CoverageLine,
    PatientAccount,
    PatientPaymentLine,
    PayerPayment,
)
from ptrcm.domain.patient_search import PatientHit, PatientPage, PatientQuery
from ptrcm.services.front_desk.search_ports import FindUnitOfWork, Row


def _money(value: Any) -> Decimal:
    return Decimal("0.00") if value is None else Decimal(value).quantize(Decimal("0.01"))


def _optional_money(value: Any) -> Decimal | None:
    return None if value is None else _money(value)


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def find_patients(uow: FindUnitOfWork, query: PatientQuery) -> PatientPage:
    """One page of the patients meeting ``query``, with each one's primary payer, member
    id, last visit and balance."""
    records = uow.patient_records
    rows, total = records.find_patients(query)
    ids = [int(r["id"]) for r in rows]
    summaries = records.search_summaries(ids)
    records.record_read(ids, "search")
    hits = tuple(
        PatientHit(
            mrn=str(r["external_id"]), first_name=r["first_name"], last_name=r["last_name"],
            birth_date=r["birth_date"], city=r["city"], payer=summaries[i]["payer"],
            member_id=summaries[i]["member_id"], last_visit=summaries[i]["last_visit"],
            balance=_money(summaries[i]["balance"]),
        )
        for i, r in zip(ids, rows, strict=True)
    )  # fmt: skip
    return PatientPage(hits, total, query.page, query.size)


def patient_account(uow: FindUnitOfWork, mrn: str) -> PatientAccount | None:
    """The account of the patient with this MRN, or None when there is no such patient."""
    records = uow.patient_records
    patient = records.patient_by_mrn(mrn)
    if patient is None:
        return None
    pid = int(patient["id"])
    records.record_read([pid], "account")
    visits = records.account_visits(pid)
    codes = uow.front_desk.visit_codes([int(v["id"]) for v in visits])
    return PatientAccount(
        mrn=str(patient["external_id"]),
        first_name=patient.get("first_name"),
        last_name=patient.get("last_name"),
        birth_date=patient.get("birth_date"),
        sex=str(patient.get("sex") or "U"),
        address=mailing_lines(patient),
        coverages=tuple(_coverage(r) for r in uow.front_desk.coverages(pid)),
        visits=tuple(_visit(v, codes.get(int(v["id"]), [])) for v in visits),
        claims=tuple(_claim(r) for r in records.account_claims(pid)),
        payer_payments=tuple(_payer_payment(r) for r in records.payer_payments(pid)),
        adjustments=tuple(_adjustment(r) for r in records.account_adjustments(pid)),
        patient_payments=tuple(_patient_payment(r) for r in records.patient_payments(pid)),
        statements=tuple(_statement(r) for r in uow.statements.statements(pid)),
        estimates=tuple(_estimate(r) for r in records.patient_estimates(pid)),
        authorizations=tuple(_authorization(r) for r in uow.front_desk.authorizations(pid)),
        plans_of_care=tuple(
            _plan(r, uow.front_desk.plan_events(int(r["id"])))
            for r in uow.front_desk.plans_of_care(pid)
        ),
        patient_balance=_money(uow.statements.patient_balance(pid)),
    )


def mailing_lines(row: Row) -> tuple[str, ...]:
    """The address lines of a patient (or any row with ``line1``, ``line2``, ``city``,
    ``state``, ``zip``); empty when no street and city are on file."""
    line1, city = (row.get("line1") or "").strip(), (row.get("city") or "").strip()
    if not line1 or not city:
        return ()
    zip_code = (row.get("zip") or "").strip()
    if len(zip_code) == 9 and zip_code.isdigit():
        zip_code = f"{zip_code[:5]}-{zip_code[5:]}"
    place = " ".join(p for p in (f"{city},", (row.get("state") or "").strip(), zip_code) if p)
    line2 = (row.get("line2") or "").strip()
    return tuple(p for p in (line1, line2, place) if p)


def _coverage(r: Row) -> CoverageLine:
    return CoverageLine(
        str(r["payer_external_id"]), r.get("payer_name"), r.get("payer_class"), str(r["rank"]),
        r.get("member_id"), r.get("start_date"), r.get("end_date"),
    )  # fmt: skip


def _visit(v: Row, codes: list[tuple[str, int | None]]) -> AccountVisit:
    return AccountVisit(
        str(v["external_id"]), v["date_of_service"], str(v["discipline"]), str(v["payer"]),
        v["location"], v["therapist"], tuple(codes), v["claim"],
    )  # fmt: skip


def _claim(r: Row) -> AccountClaim:
    return AccountClaim(
        str(r["pcn"]), str(r["payer"]), str(r["state"]), r["first_dos"], r["last_dos"],
        _money(r["charge"]), _money(r["payer_paid"]), _money(r["patient_paid"]),
        _money(r["contractual"]), _money(r["patient_responsibility"]),
        _money(r["denied_total"]), _money(r["balance"]),
    )  # fmt: skip


def _payer_payment(r: Row) -> PayerPayment:
    return PayerPayment(
        str(r["pcn"]), r["payer"], r["payment_date"], str(r["status_code"]),
        _money(r["charge_amount"]), _money(r["paid_amount"]), r["trace_number"],
    )  # fmt: skip


def _adjustment(r: Row) -> AccountAdjustment:
    return AccountAdjustment(
        str(r["pcn"]), r["payment_date"], str(r["group_code"]), str(r["carc"]),
        _money(r["amount"]), r["code"],
    )  # fmt: skip


def _patient_payment(r: Row) -> PatientPaymentLine:
    return PatientPaymentLine(_day(r["received_at"]), _money(r["amount"]), str(r["method"]),
                              r["pcn"])  # fmt: skip


def _statement(r: Row) -> AccountStatement:
    return AccountStatement(
        int(r["id"]), r["statement_date"], r.get("due_date"), _money(r["balance"]),
        str(r["state"]), r.get("replaces_statement_id"),
    )  # fmt: skip


def _estimate(r: Row) -> AccountEstimate:
    return AccountEstimate(
        r["date_of_service"], str(r["status"]), _optional_money(r.get("visit_estimate")),
        _optional_money(r.get("plan_low")), _optional_money(r.get("plan_high")),
    )  # fmt: skip


def _authorization(r: Row) -> AccountAuthorization:
    return AccountAuthorization(
        r.get("number"), r.get("payer_external_id"), r.get("discipline"),
        r.get("visits_authorized"), r.get("visits_used"), r.get("start_date"), r.get("end_date"),
    )  # fmt: skip


def _plan(r: Row, events: list[Row]) -> AccountPlan:
    return AccountPlan(
        str(r["discipline"]), r["start_date"], r.get("certified_on"), r.get("through"),
        r.get("visits_planned"), tuple((str(e["kind"]), e["on_date"]) for e in events),
    )  # fmt: skip
