"""Payer records requests (ADR, audits) and recoupments in the store, by payer external id
and claim PCN; every write is in the audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from ptrcm.domain.chart_audit.stored import RecordsRequest, Recoupment
from ptrcm.errors import InputError, RecordProblem
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.scoped import Clock, OrgScoped
from ptrcm.store.tables import claims, payers, records_requests, recoupments
from ptrcm.store.types import utc_now


def _unknown(field: str, what: str) -> InputError:
    return InputError([RecordProblem("records-request", None, field, what)])


class RecordsRequestRepository(OrgScoped):
    def __init__(
        self, conn: Any, org_id: int, actor: str, clock: Clock = utc_now, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def _payer(self, external_id: str) -> int:
        found = self.conn.execute(
            self.scoped(payers, payers.c.id).where(payers.c.external_id == external_id)
        ).scalar_one_or_none()
        if found is None:
            raise _unknown("payer", f"no payer {external_id!r} in the database")
        return int(found)

    def _claim(self, pcn: str | None) -> int | None:
        if pcn is None:
            return None
        found = self.conn.execute(
            self.scoped(claims, claims.c.id).where(claims.c.pcn == pcn)
        ).scalar_one_or_none()
        if found is None:
            raise _unknown("claim", f"no claim {pcn!r}")
        return int(found)

    def add_request(self, r: RecordsRequest) -> int:
        row = self.new_row(
            payer_id=self._payer(r.payer_id), claim_id=self._claim(r.claim_pcn),
            chart_audit_id=r.chart_audit_id, kind=r.kind, reference=r.reference,
            requested_on=r.requested_on, due_on=r.due_on, status=r.status,
        )  # fmt: skip
        new_id = self.insert_with_ids(records_requests, [row])[0]
        self.audit.record([AuditEvent("create", "records_requests", str(new_id))])
        return new_id

    def close_request(self, request_id: int, outcome: str, on: date, status: str) -> bool:
        t = records_requests
        done = self.conn.execute(
            update(t)
            .where(t.c.org_id == self.org_id, t.c.id == request_id)
            .values(status=status, outcome=outcome, closed_on=on if status == "closed" else None)
        )
        if done.rowcount:
            detail = {"status": status, "outcome": outcome}
            self.audit.record([AuditEvent("update", "records_requests", str(request_id), None,
                                          detail)])  # fmt: skip
        return bool(done.rowcount)

    def requests(self) -> list[RecordsRequest]:
        t = records_requests
        query = (
            select(t, payers.c.external_id.label("payer"), claims.c.pcn)
            .join(payers, payers.c.id == t.c.payer_id)
            .outerjoin(claims, claims.c.id == t.c.claim_id)
            .where(t.c.org_id == self.org_id)
            .order_by(t.c.id)
        )
        return [
            RecordsRequest(int(r.id), r.payer, r.kind, r.requested_on, r.due_on, r.status,
                           r.reference, r.pcn, r.chart_audit_id, r.outcome, r.closed_on)
            for r in self.conn.execute(query)
        ]  # fmt: skip

    def add_recoupment(self, r: Recoupment) -> int:
        row = self.new_row(
            payer_id=self._payer(r.payer_id), claim_id=self._claim(r.claim_pcn),
            records_request_id=r.records_request_id, amount=r.amount,
            recouped_on=r.recouped_on, source=r.source, reference=r.reference,
        )  # fmt: skip
        new_id = self.insert_with_ids(recoupments, [row])[0]
        self.audit.record([AuditEvent("create", "recoupments", str(new_id))])
        return new_id

    def recoupments(self) -> list[Recoupment]:
        t = recoupments
        query = (
            select(t, payers.c.external_id.label("payer"), claims.c.pcn)
            .join(payers, payers.c.id == t.c.payer_id)
            .outerjoin(claims, claims.c.id == t.c.claim_id)
            .where(t.c.org_id == self.org_id)
            .order_by(t.c.id)
        )
        return [
            Recoupment(int(r.id), r.payer, Decimal(r.amount), r.recouped_on, r.source,
                       r.reference, r.pcn, r.records_request_id)
            for r in self.conn.execute(query)
        ]  # fmt: skip
