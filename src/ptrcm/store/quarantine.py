"""Import quarantine: the records an import kept aside, with their problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert

from ptrcm.domain.intake import QuarantinedRecord
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import import_quarantine


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
