"""Append-only records and small keepers: audit log, ledger, import quarantine, X12
control-number counters.

The ledger and the audit log offer no update or delete: the classes here have only
``append``/``record`` and queries, and the database triggers of migrations 0003-0005
refuse ``UPDATE``/``DELETE`` from any other path. A correction is a new entry that names
the entry it reverses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update

from ptrcm.domain.intake import QuarantinedRecord
from ptrcm.errors import InvariantError
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import audit_log, control_counters, import_quarantine, ledger_entries

AUDIT_ACTIONS = frozenset({"read", "create", "update", "delete", "import", "export"})
COUNTERS = ("ISA", "GS", "ST")
MAX_CONTROL = {"ISA": 999_999_999, "GS": 999_999_999, "ST": 999_999_999}


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Who did what to which record. ``detail`` holds ids and counts only, never PHI."""

    action: str
    table_name: str
    record_id: str | None = None
    patient_id: int | None = None
    detail: dict[str, Any] | None = None


class AuditLog(OrgScoped):
    def record(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        now = self.clock()
        rows = []
        for event in events:
            if event.action not in AUDIT_ACTIONS:
                raise InvariantError(f"unknown audit action {event.action!r}")
            rows.append(
                self.new_row(
                    actor=self.actor,
                    action=event.action,
                    table_name=event.table_name,
                    record_id=event.record_id,
                    patient_id=event.patient_id,
                    occurred_at=now,
                    detail=event.detail,
                    user_id=None,
                )
            )
        self.conn.execute(insert(audit_log), rows)

    def events(self, table_name: str | None = None) -> list[dict[str, Any]]:
        query = self.scoped(audit_log).order_by(audit_log.c.id)
        if table_name is not None:
            query = query.where(audit_log.c.table_name == table_name)
        return [dict(row._mapping) for row in self.conn.execute(query)]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One signed amount on one account, traceable to its source file and segment."""

    account: str
    amount: Decimal
    effective_date: date
    patient_id: int | None = None
    payer_id: int | None = None
    claim_id: int | None = None
    claim_line_id: int | None = None
    remittance_file_id: int | None = None
    reverses_entry_id: int | None = None
    source: str | None = None
    segment_ref: str | None = None
    memo: str | None = None


class Ledger(OrgScoped):
    """Append-only: entries are added, read and summed; never changed or removed."""

    def append(self, entries: Sequence[LedgerEntry]) -> list[int]:
        ids: list[int] = []
        for entry in entries:  # one by one: ids must come back in the caller's order
            if not entry.account:
                raise InvariantError("a ledger entry needs an account")
            row = self.new_row(
                account=entry.account,
                amount=entry.amount,
                effective_date=entry.effective_date,
                patient_id=entry.patient_id,
                payer_id=entry.payer_id,
                claim_id=entry.claim_id,
                claim_line_id=entry.claim_line_id,
                remittance_file_id=entry.remittance_file_id,
                reverses_entry_id=entry.reverses_entry_id,
                source=entry.source,
                segment_ref=entry.segment_ref,
                memo=entry.memo,
            )
            result = self.conn.execute(insert(ledger_entries).returning(ledger_entries.c.id), row)
            ids.append(int(result.scalar_one()))
        return ids

    def entries(self, claim_id: int | None = None) -> list[dict[str, Any]]:
        query = self.scoped(ledger_entries).order_by(ledger_entries.c.id)
        if claim_id is not None:
            query = query.where(ledger_entries.c.claim_id == claim_id)
        return [dict(row._mapping) for row in self.conn.execute(query)]

    def balance(self, account: str | None = None) -> Decimal:
        query = self.scoped(ledger_entries, func.sum(ledger_entries.c.amount))
        if account is not None:
            query = query.where(ledger_entries.c.account == account)
        total = self.conn.execute(query).scalar_one()
        return Decimal("0.00") if total is None else Decimal(total)


class Quarantine(OrgScoped):
    """Records an import kept aside, with their problems, until someone fixes them."""

    def add(self, records: Sequence[QuarantinedRecord]) -> None:
        if not records:
            return
        rows = [
            self.new_row(
                kind=r.kind,
                source_file=r.source,
                line=r.line,
                record_id=r.record_id,
                record_text=r.text,
                problems=[
                    {"line": p.line, "field": p.field, "message": p.message} for p in r.problems
                ],
            )
            for r in records
        ]
        self.conn.execute(insert(import_quarantine), rows)

    def count(self, kind: str | None = None) -> int:
        query = self.scoped(import_quarantine, func.count())
        if kind is not None:
            query = query.where(import_quarantine.c.kind == kind)
        return int(self.conn.execute(query).scalar_one())

    def items(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = self.scoped(import_quarantine).order_by(import_quarantine.c.id)
        if kind is not None:
            query = query.where(import_quarantine.c.kind == kind)
        return [dict(row._mapping) for row in self.conn.execute(query)]


class ControlNumbers(OrgScoped):
    """Per-organization ISA/GS/ST control numbers: each call hands out the next one.

    The increment is one ``UPDATE ... RETURNING``, so concurrent writers on PostgreSQL
    serialize on the counter row and never get the same number.
    """

    def next(self, counter: str) -> int:
        if counter not in COUNTERS:
            raise InvariantError(f"unknown control-number counter {counter!r}")
        exists = self.conn.execute(
            self.scoped(control_counters, control_counters.c.id).where(
                control_counters.c.counter == counter
            )
        ).first()
        if exists is None:
            self.conn.execute(insert(control_counters), self.new_row(counter=counter, last_value=0))
        value = self.conn.execute(
            update(control_counters)
            .where(control_counters.c.org_id == self.org_id, control_counters.c.counter == counter)
            .values(last_value=control_counters.c.last_value + 1)
            .returning(control_counters.c.last_value)
        ).scalar_one()
        if value > MAX_CONTROL[counter]:
            raise InvariantError(f"{counter} control numbers exhausted for this organization")
        return int(value)

    def peek(self, counter: str) -> int:
        found = self.conn.execute(
            select(control_counters.c.last_value).where(
                control_counters.c.org_id == self.org_id, control_counters.c.counter == counter
            )
        ).scalar_one_or_none()
        return 0 if found is None else int(found)
