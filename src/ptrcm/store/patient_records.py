"""Finding patients and reading one patient's account, for one organization.

A name matches on the stored search keys (``patients.first_key``/``last_key``): each typed
word must start a word of the key, ``LIKE 'w%' OR LIKE '% w%'``. The keys hold only
lower-case ASCII letters, digits and single spaces and the words the same, so the pattern
needs no escaping and SQLite (whose LIKE ignores ASCII case) and PostgreSQL agree. An MRN
and a member id match exactly, as typed or in capitals.

Implements ``ptrcm.services.front_desk.search_ports.PatientRecordStore`` structurally.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, union

from ptrcm.domain.patient_search import PatientQuery
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.scoped import Clock, OrgScoped, chunks
from ptrcm.store.statements_repo import PATIENT_ACCOUNTS
from ptrcm.store.tables import (
    adjustments,
    claim_facts,
    claim_payments,
    claims,
    coverages,
    ledger_entries,
    line_payments,
    locations,
    patient_payments,
    patients,
    payers,
    providers,
    remittance_transactions,
    visits,
)
from ptrcm.store.tables.front_desk import patient_estimates
from ptrcm.store.types import utc_now

Row = dict[str, Any]
GONE = ("voided", "corrected")


def _starts_a_word(column: Any, word: str) -> ColumnElement[bool]:
    return or_(column.like(f"{word}%"), column.like(f"% {word}%"))


def _as_typed(value: str) -> list[str]:
    return sorted({value, value.upper()})


class PatientRecords(OrgScoped):
    def __init__(
        self, conn: Any, org_id: int, actor: str, clock: Clock = utc_now, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def _conds(self, query: PatientQuery) -> list[ColumnElement[bool]]:
        p = patients.c
        conds: list[ColumnElement[bool]] = [p.org_id == self.org_id]
        terms = query.terms
        if terms is not None:
            conds += [or_(_starts_a_word(p.first_key, w), _starts_a_word(p.last_key, w))
                      for w in terms.either]  # fmt: skip
            conds += [_starts_a_word(p.last_key, w) for w in terms.last]
            conds += [_starts_a_word(p.first_key, w) for w in terms.first]
        if query.birth_date is not None:
            conds.append(p.birth_date == query.birth_date)
        if query.mrn is not None:
            conds.append(p.external_id.in_(_as_typed(query.mrn)))
        if query.member_id is not None:
            ids = _as_typed(query.member_id)
            covered = select(coverages.c.patient_id).where(
                coverages.c.org_id == self.org_id, coverages.c.member_id.in_(ids)
            )
            seen = select(visits.c.patient_id).where(
                visits.c.org_id == self.org_id, visits.c.member_id.in_(ids)
            )
            conds.append(p.id.in_(union(covered, seen)))
        return conds

    def find_patients(self, query: PatientQuery) -> tuple[list[Row], int]:
        p = patients.c
        conds = self._conds(query)
        total = int(self.conn.execute(select(func.count()).where(*conds)).scalar_one())
        page = (
            select(p.id, p.external_id, p.first_name, p.last_name, p.birth_date, p.city)
            .where(*conds)
            .order_by(p.last_key.asc().nulls_last(), p.first_key.asc().nulls_last(), p.external_id)
            .offset(query.offset)
            .limit(query.size)
        )
        return [dict(r._mapping) for r in self.conn.execute(page)], total

    def search_summaries(self, patient_ids: Sequence[int]) -> dict[int, Row]:
        out: dict[int, Row] = {
            int(i): {"payer": None, "member_id": None, "last_visit": None,
                     "balance": Decimal("0.00")}
            for i in patient_ids
        }  # fmt: skip
        for part in chunks(list(out)):
            self._coverage_summaries(part, out)
            self._visit_summaries(part, out)
            balances = (
                select(ledger_entries.c.patient_id, func.sum(ledger_entries.c.amount))
                .where(
                    ledger_entries.c.org_id == self.org_id,
                    ledger_entries.c.patient_id.in_(part),
                    ledger_entries.c.account.in_(PATIENT_ACCOUNTS),
                )
                .group_by(ledger_entries.c.patient_id)
            )
            for pid, total in self.conn.execute(balances):
                out[int(pid)]["balance"] = Decimal(total or 0).quantize(Decimal("0.01"))
        return out

    def _coverage_summaries(self, part: Sequence[int], out: dict[int, Row]) -> None:
        query = (
            self.scoped(
                coverages, coverages.c.patient_id, payers.c.external_id, coverages.c.member_id
            )
            .join(payers, payers.c.id == coverages.c.payer_id)
            .where(coverages.c.patient_id.in_(part))
            .order_by(coverages.c.patient_id, coverages.c.rank, coverages.c.id)
        )
        for pid, payer, member in self.conn.execute(query):
            found = out[int(pid)]
            if found["payer"] is None:
                found["payer"], found["member_id"] = payer, member

    def _visit_summaries(self, part: Sequence[int], out: dict[int, Row]) -> None:
        latest = (
            self.scoped(visits, visits.c.patient_id, func.max(visits.c.date_of_service))
            .where(visits.c.patient_id.in_(part))
            .group_by(visits.c.patient_id)
        )
        last_seen = {int(pid): day for pid, day in self.conn.execute(latest)}
        for pid, day in last_seen.items():
            out[pid]["last_visit"] = day
        uncovered = [pid for pid in last_seen if out[pid]["payer"] is None]
        if not uncovered:
            return
        query = (
            self.scoped(
                visits,
                visits.c.patient_id,
                visits.c.date_of_service,
                payers.c.external_id,
                visits.c.member_id,
            )
            .join(payers, payers.c.id == visits.c.payer_id)
            .where(visits.c.patient_id.in_(uncovered))
        )
        for pid, day, payer, member in self.conn.execute(query):
            if day == last_seen[int(pid)]:
                out[int(pid)]["payer"], out[int(pid)]["member_id"] = payer, member

    def patient_by_mrn(self, mrn: str) -> Row | None:
        query = self.scoped(patients).where(patients.c.external_id == mrn)
        found = self.conn.execute(query).first()
        return None if found is None else dict(found._mapping)

    def account_claims(self, patient_id: int) -> list[Row]:
        cf, c = claim_facts.c, claims.c

        def fact(name: str) -> Any:
            return func.coalesce(getattr(cf, name), 0).label(name)

        query = (
            select(
                c.id, c.pcn, payers.c.external_id.label("payer"), c.state,
                c.first_date_of_service.label("first_dos"),
                c.last_date_of_service.label("last_dos"), c.total_charge.label("charge"),
                fact("payer_paid"), fact("patient_paid"), fact("contractual"),
                fact("patient_responsibility"), fact("denied_total"),
                func.coalesce(cf.balance, c.total_charge).label("balance"),
            )
            .select_from(
                claims.join(payers, payers.c.id == c.payer_id).outerjoin(
                    claim_facts, and_(cf.org_id == c.org_id, cf.claim_id == c.id)
                )
            )
            .where(c.org_id == self.org_id, c.patient_id == patient_id)
            .order_by(c.first_date_of_service, c.pcn)
        )  # fmt: skip
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def account_visits(self, patient_id: int) -> list[Row]:
        v = visits.c
        claim = (
            select(claims.c.pcn)
            .where(
                claims.c.org_id == v.org_id, claims.c.patient_id == v.patient_id,
                claims.c.payer_id == v.payer_id, claims.c.state.not_in(GONE),
                v.date_of_service.between(claims.c.first_date_of_service,
                                          claims.c.last_date_of_service),
            )
            .order_by(claims.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )  # fmt: skip
        query = (
            select(
                v.id, v.external_id, v.date_of_service, v.discipline,
                payers.c.external_id.label("payer"), locations.c.external_id.label("location"),
                func.coalesce(providers.c.name, providers.c.npi).label("therapist"),
                claim.label("claim"),
            )
            .select_from(
                visits.join(payers, payers.c.id == v.payer_id)
                .outerjoin(locations, locations.c.id == v.location_id)
                .outerjoin(providers, providers.c.id == v.provider_id)
            )
            .where(v.org_id == self.org_id, v.patient_id == patient_id)
            .order_by(v.date_of_service, v.id)
        )  # fmt: skip
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def _of_patient(self, patient_id: int) -> ColumnElement[bool]:
        return and_(claims.c.org_id == self.org_id, claims.c.patient_id == patient_id)

    def payer_payments(self, patient_id: int) -> list[Row]:
        cp, t = claim_payments.c, remittance_transactions.c
        query = (
            select(
                claims.c.pcn, payers.c.external_id.label("payer"), t.payment_date,
                cp.status_code, cp.charge_amount, cp.paid_amount, t.trace_number,
            )
            .select_from(
                claim_payments.join(claims, claims.c.id == cp.claim_id)
                .join(remittance_transactions, t.id == cp.transaction_id)
                .outerjoin(payers, payers.c.id == claims.c.payer_id)
            )
            .where(self._of_patient(patient_id))
            .order_by(t.payment_date, cp.id)
        )  # fmt: skip
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def account_adjustments(self, patient_id: int) -> list[Row]:
        a, cp, t = adjustments.c, claim_payments.c, remittance_transactions.c
        query = (
            select(claims.c.pcn, t.payment_date, a.group_code, a.carc, a.amount,
                   line_payments.c.code)
            .select_from(
                adjustments.join(claim_payments, cp.id == a.claim_payment_id)
                .join(claims, claims.c.id == cp.claim_id)
                .join(remittance_transactions, t.id == cp.transaction_id)
                .outerjoin(line_payments, line_payments.c.id == a.line_payment_id)
            )
            .where(self._of_patient(patient_id))
            .order_by(t.payment_date, a.id)
        )  # fmt: skip
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def patient_payments(self, patient_id: int) -> list[Row]:
        pp = patient_payments.c
        query = (
            select(pp.received_at, pp.amount, pp.method, claims.c.pcn)
            .select_from(patient_payments.outerjoin(claims, claims.c.id == pp.claim_id))
            .where(pp.org_id == self.org_id, pp.patient_id == patient_id)
            .order_by(pp.received_at, pp.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def patient_estimates(self, patient_id: int) -> list[Row]:
        pe = patient_estimates
        query = (
            self.scoped(pe)
            .where(pe.c.patient_id == patient_id)
            .order_by(pe.c.date_of_service, pe.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def record_read(self, patient_ids: Sequence[int], what: str) -> None:
        if not patient_ids:
            return
        query = self.scoped(patients, patients.c.id, patients.c.external_id).where(
            patients.c.id.in_(list(patient_ids))
        )
        mrns = {int(i): str(ext) for i, ext in self.conn.execute(query)}
        self.audit.record(
            [
                AuditEvent("read", "patients", str(mrns.get(i, i)), int(i), {"view": what})
                for i in patient_ids
            ]
        )
