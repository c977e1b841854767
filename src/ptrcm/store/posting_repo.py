"""The 835 side of the store: remittance files and transactions, claim and line payments,
adjustments and remark codes, the ledger entries a reversal points back at, and the work
queues (exceptions, denials, rejections, underpayments).

Everything here writes inside the caller's transaction;
``ptrcm.services.remittance.posting`` commits once per file, so a file that fails midway leaves
nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.work_queue import WorkItem
from ptrcm.store.scoped import OrgScoped, chunks
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import (
    adjustments,
    claim_payments,
    claim_transitions,
    ledger_entries,
    line_payments,
    payers,
    remark_codes,
    remittance_files,
    remittance_transactions,
    work_items,
)

LEDGER_FIELDS = tuple(f.name for f in fields(LedgerEntry))
# What posting writes (with the tables they reference: their statistics decide how the
# foreign keys are checked, see ``ptrcm.store.statistics``).
POSTED_TABLES = (claim_payments, line_payments, adjustments, remark_codes, ledger_entries,
                 claim_transitions, work_items)  # fmt: skip


class RemittanceRepository(OrgScoped):
    def file_id(self, sha256: str) -> int | None:
        """The remittance file already posted with this content, if any."""
        query = self.scoped(remittance_files, remittance_files.c.id).where(
            remittance_files.c.sha256 == sha256
        )
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def add_file(self, file_name: str, sha256: str, received_at: datetime) -> int:
        row = self.new_row(file_name=file_name[-255:], sha256=sha256, received_at=received_at)
        result = self.conn.execute(insert(remittance_files).returning(remittance_files.c.id), row)
        return int(result.scalar_one())

    def posted_payments(self, traces: Sequence[str]) -> list[dict[str, Any]]:
        """Transactions already posted with one of these TRN02 trace numbers, with the
        file each came in: ``id``, ``payer_key``, ``trace_number``, ``payment_amount``,
        ``payment_date``, ``st_control``, ``file_name``."""
        t, f = remittance_transactions, remittance_files
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(traces))):
            query = (
                select(
                    t.c.id, t.c.payer_key, t.c.trace_number, t.c.payment_amount,
                    t.c.payment_date, t.c.st_control, f.c.file_name,
                )
                .join(f, (f.c.id == t.c.remittance_file_id) & (f.c.org_id == t.c.org_id))
                .where(t.c.org_id == self.org_id, t.c.trace_number.in_(part))
            )  # fmt: skip
            out.extend(dict(r._mapping) for r in self.conn.execute(query))
        return out

    def posted_claim_payments(self, pcns: Sequence[str]) -> list[dict[str, Any]]:
        """Claim payments already posted for these patient control numbers, oldest first,
        with the file each came in: ``id``, ``pcn``, ``payer_claim_number``,
        ``status_code``, ``paid_amount``, ``segment_ref``, ``file_name``, ``file_id``."""
        cp, t, f = claim_payments, remittance_transactions, remittance_files
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(pcns))):
            query = (
                select(
                    cp.c.id, cp.c.pcn, cp.c.payer_claim_number, cp.c.status_code,
                    cp.c.paid_amount, cp.c.segment_ref, f.c.file_name,
                    t.c.remittance_file_id.label("file_id"),
                )
                .join(t, (t.c.id == cp.c.transaction_id) & (t.c.org_id == cp.c.org_id))
                .join(f, (f.c.id == t.c.remittance_file_id) & (f.c.org_id == t.c.org_id))
                .where(cp.c.org_id == self.org_id, cp.c.pcn.in_(part))
            )  # fmt: skip
            out.extend(dict(r._mapping) for r in self.conn.execute(query))
        return sorted(out, key=lambda r: int(r["id"]))

    def payer_ids(self) -> dict[str, int]:
        """Row id of every payer by external id."""
        query = self.scoped(payers, payers.c.external_id, payers.c.id)
        return {str(ext): int(i) for ext, i in self.conn.execute(query)}

    def add_transaction(self, file_id: int, **values: Any) -> int:
        row = self.new_row(remittance_file_id=file_id, **values)
        table = remittance_transactions
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def add_claim_payment(self, transaction_id: int, **values: Any) -> int:
        row = self.new_row(transaction_id=transaction_id, **values)
        table = claim_payments
        self.touch_claims([values.get("claim_id")])
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def add_line_payment(self, claim_payment_id: int, **values: Any) -> int:
        row = self.new_row(claim_payment_id=claim_payment_id, **values)
        table = line_payments
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def add_claim_payments(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert claim payments in one statement; ids in the order of ``rows``.

        The first write of each batch of a posting: the tables posting writes are
        analyzed first when they have outgrown their statistics (``keep_statistics``)."""
        keep_statistics(self.conn, POSTED_TABLES)
        self.touch_claims(r.get("claim_id") for r in rows)
        return self._insert_many(claim_payments, rows)

    def add_line_payments(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert line payments in one statement; ids in the order of ``rows``."""
        return self._insert_many(line_payments, rows)

    def _insert_many(self, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
        return self.insert_with_ids(table, self.new_rows(rows))

    def add_adjustments(self, rows: Sequence[dict[str, Any]]) -> None:
        self.insert_many(adjustments, self.new_rows(rows))

    def add_remarks(self, rows: Sequence[dict[str, Any]]) -> None:
        self.insert_many(remark_codes, self.new_rows(rows))

    def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> None:
        """Append ledger entries in one statement (no ids returned)."""
        rows = self.new_rows({f: getattr(e, f) for f in LEDGER_FIELDS} for e in entries)
        self.insert_many(ledger_entries, rows)

    def open_payment_entries(self, claim_id: int) -> list[dict[str, Any]]:
        """Remittance ledger entries of a claim that no later entry reverses, oldest first."""
        reversed_ids = (
            select(ledger_entries.c.reverses_entry_id)
            .where(
                ledger_entries.c.org_id == self.org_id,
                ledger_entries.c.claim_id == claim_id,
                ledger_entries.c.reverses_entry_id.is_not(None),
            )
            .scalar_subquery()
        )
        query = (
            self.scoped(ledger_entries)
            .where(
                ledger_entries.c.claim_id == claim_id,
                ledger_entries.c.remittance_file_id.is_not(None),
                ledger_entries.c.reverses_entry_id.is_(None),
                ledger_entries.c.id.not_in(reversed_ids),
            )
            .order_by(ledger_entries.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def payment_date(self, transaction_id: int) -> date | None:
        query = self.scoped(remittance_transactions, remittance_transactions.c.payment_date).where(
            remittance_transactions.c.id == transaction_id
        )
        found = self.conn.execute(query).scalar_one_or_none()
        return found if isinstance(found, date) else None

    def claim_payments(self, claim_id: int | None = None) -> list[dict[str, Any]]:
        query = self.scoped(claim_payments).order_by(claim_payments.c.id)
        if claim_id is not None:
            query = query.where(claim_payments.c.claim_id == claim_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def line_payments(self, claim_payment_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(line_payments)
            .where(line_payments.c.claim_payment_id == claim_payment_id)
            .order_by(line_payments.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def adjustments(self, claim_payment_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(adjustments)
            .where(adjustments.c.claim_payment_id == claim_payment_id)
            .order_by(adjustments.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def remarks(self, claim_payment_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(remark_codes)
            .where(remark_codes.c.claim_payment_id == claim_payment_id)
            .order_by(remark_codes.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]


class WorkQueue(OrgScoped):
    """Work items by kind; opening the same open item twice gives the existing one."""

    def add(self, item: WorkItem) -> int:
        now = self.clock()
        row = self.new_row(
            kind=item.kind,
            state="open",
            claim_id=item.claim_id,
            amount=item.amount,
            due_date=item.due_date,
            reason=item.reason[:2000],
            carc=item.carc,
            updated_at=now,
        )
        return int(
            self.conn.execute(insert(work_items).returning(work_items.c.id), row).scalar_one()
        )

    def add_many(self, items: Sequence[WorkItem]) -> list[int]:
        """Open several items in one statement; ids in the order of ``items``."""
        if not items:
            return []
        now = self.clock()
        rows = [
            self.new_row(
                kind=i.kind,
                state="open",
                claim_id=i.claim_id,
                amount=i.amount,
                due_date=i.due_date,
                reason=i.reason[:2000],
                carc=i.carc,
                updated_at=now,
            )
            for i in items
        ]
        return self.insert_with_ids(work_items, rows)

    def items(
        self, kind: str | None = None, *, state: str | None = None, claim_id: int | None = None
    ) -> list[dict[str, Any]]:
        query = self.scoped(work_items).order_by(work_items.c.id)
        if kind is not None:
            query = query.where(work_items.c.kind == kind)
        if claim_id is not None:  # ix_work_items_org_claim
            query = query.where(work_items.c.claim_id == claim_id)
        if state is not None:
            query = query.where(work_items.c.state == state)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def close(self, item_id: int, state: str = "done") -> None:
        now = self.clock()
        self.conn.execute(
            update(work_items)
            .where(work_items.c.org_id == self.org_id, work_items.c.id == item_id)
            .values(state=state, updated_at=now, resolved_at=now, version=work_items.c.version + 1)
        )

    def count(self, kind: str) -> int:
        query = self.scoped(work_items, func.count()).where(work_items.c.kind == kind)
        return int(self.conn.execute(query).scalar_one())
