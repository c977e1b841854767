"""The audit log: who did what to which record, append-only.

It offers ``record`` and a query, no update or delete, and the database triggers of
migration 0005 refuse ``UPDATE``/``DELETE`` from any other path. ``AuditTrail`` is the
access services' side of it (``ptrcm.store.access_repo``): rows naming a member and a client
address, and a search of one organization's trail naming who acted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from ptrcm.domain.access import AuditEntry, AuditQuery, AuditRecord
from ptrcm.errors import InvariantError
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import audit_log, memberships, users

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
        self.conn.execute(insert(audit_log).inline(), rows)  # no id fetched: no nextval trip

    def events(self, table_name: str | None = None) -> list[dict[str, Any]]:
        query = self.scoped(audit_log).order_by(audit_log.c.id)
        if table_name is not None:
            query = query.where(audit_log.c.table_name == table_name)
        return [dict(row._mapping) for row in self.conn.execute(query)]


class AuditTrail:
    """Write audit records naming members, and search one organization's trail."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record_audit(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        rows = [
            {
                "org_id": r.org_id,
                "membership_id": r.membership_id,
                "patient_id": None,
                "actor": r.actor[:120],
                "action": r.action,
                "table_name": r.table_name,
                "record_id": None if r.record_id is None else r.record_id[:64],
                "occurred_at": r.at,
                "created_at": r.at,
                "client_address": r.client_address,
                "detail": None if r.detail is None else dict(r.detail),
            }
            for r in records
        ]
        self.conn.execute(insert(audit_log).inline(), rows)  # no id fetched: no nextval trip

    def _audit_query(self, org_id: int, query: AuditQuery, *columns: Any) -> Select[Any]:
        a = audit_log.c
        found = (
            select(*columns)
            .select_from(audit_log)
            .outerjoin(
                memberships,
                and_(memberships.c.org_id == a.org_id, memberships.c.id == a.membership_id),
            )
            .outerjoin(users, users.c.id == memberships.c.user_id)
            .where(a.org_id == org_id)
        )
        for column, value in (
            (a.actor, query.actor),
            (a.action, query.action),
            (a.table_name, query.table_name),
            (a.record_id, query.record_id),
        ):
            if value:
                found = found.where(column == value)
        if query.start is not None:
            found = found.where(a.occurred_at >= query.start)
        if query.end is not None:
            found = found.where(a.occurred_at < query.end)
        return found

    def audit_entries(self, org_id: int, query: AuditQuery) -> list[AuditEntry]:
        a = audit_log.c
        columns = (
            a.id,
            a.occurred_at,
            a.actor,
            users.c.username,
            a.action,
            a.table_name,
            a.record_id,
            a.client_address,
            a.detail,
        )
        found = self._audit_query(org_id, query, *columns).order_by(a.id.desc())
        rows = self.conn.execute(found.limit(query.limit).offset(query.offset))
        return [
            AuditEntry(
                int(r.id),
                r.occurred_at,
                r.actor,
                r.username,
                r.action,
                r.table_name,
                r.record_id,
                r.client_address,
                r.detail,
            )
            for r in rows
        ]

    def audit_count(self, org_id: int, query: AuditQuery) -> int:
        found = self._audit_query(org_id, query, func.count())
        return int(self.conn.execute(found).scalar_one())
