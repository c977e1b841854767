"""The ledger, append-only: entries are added, read and summed, never changed or removed.

The class offers only ``append`` and queries, and the database triggers of migrations
0003-0005 refuse ``UPDATE``/``DELETE`` from any other path. The entry value is
``ptrcm.domain.ledger.LedgerEntry``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.errors import InvariantError
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import ledger_entries


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
