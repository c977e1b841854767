"""The audit log: who did what to which record, append-only.

It offers ``record`` and a query, no update or delete, and the database triggers of
migration 0005 refuse ``UPDATE``/``DELETE`` from any other path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from ptrcm.errors import InvariantError
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import audit_log

AUDIT_ACTIONS = frozenset({"read", "create", "update", "delete", "import", "export"})


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
                    membership_id=None,
                )
            )
        self.conn.execute(insert(audit_log), rows)

    def events(self, table_name: str | None = None) -> list[dict[str, Any]]:
        query = self.scoped(audit_log).order_by(audit_log.c.id)
        if table_name is not None:
            query = query.where(audit_log.c.table_name == table_name)
        return [dict(row._mapping) for row in self.conn.execute(query)]
