"""The clearinghouse files and connector status (implements the store side of
``ptrcm.services.clearinghouse.ports.ClearinghouseStore``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from ptrcm.domain.clearinghouse import ConnectorStatus, TrackedFile
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.scoped import Clock, OrgScoped
from ptrcm.store.tables.clearinghouse import clearinghouse_files as files
from ptrcm.store.tables.clearinghouse import clearinghouse_status as status_table


class ClearinghouseRepository(OrgScoped):
    def __init__(self, conn: Connection, org_id: int, actor: str, clock: Clock, *,
                 audit: AuditLog) -> None:  # fmt: skip
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def find(self, connector: str, direction: str, remote_name: str,
             sha256: str | None = None) -> TrackedFile | None:  # fmt: skip
        """The latest record of this file (by name, and hash when given)."""
        query = self.scoped(files).where(
            files.c.connector == connector,
            files.c.direction == direction,
            files.c.remote_name == remote_name,
        )
        if sha256 is not None:
            query = query.where(files.c.sha256 == sha256)
        row = self.conn.execute(query.order_by(files.c.id.desc()).limit(1)).first()
        return _file(row) if row is not None else None

    def add_file(self, connector: str, direction: str, remote_name: str, local_name: str,
                 sha256: str, kind: str, status: str) -> int:  # fmt: skip
        row = self.new_row(
            connector=connector,
            direction=direction,
            remote_name=remote_name[:255],
            local_name=local_name[:255],
            sha256=sha256,
            kind=kind[:8],
            status=status,
            result={},
            updated_at=self.clock(),
        )
        file_id = self.insert_with_ids(files, [row])[0]
        detail = {"connector": connector, "direction": direction, "status": status}
        self.audit.record([AuditEvent("create", "clearinghouse_files", str(file_id), None, detail)])
        return file_id

    def set_status(self, file_id: int, status: str, result: Mapping[str, Any]) -> None:
        self.conn.execute(
            update(files)
            .where(files.c.org_id == self.org_id, files.c.id == file_id)
            .values(status=status, result=dict(result), updated_at=self.clock())
        )
        self.audit.record(
            [AuditEvent("update", "clearinghouse_files", str(file_id), None, {"status": status})]
        )

    def files(self, connector: str | None = None, direction: str | None = None,
              status: str | None = None, limit: int = 100) -> list[TrackedFile]:  # fmt: skip
        query = self.scoped(files)
        if connector is not None:
            query = query.where(files.c.connector == connector)
        if direction is not None:
            query = query.where(files.c.direction == direction)
        if status is not None:
            query = query.where(files.c.status == status)
        rows = self.conn.execute(query.order_by(files.c.id.desc()).limit(limit))
        return [_file(r) for r in rows]

    def note(self, connector: str, action: str, error: str | None) -> None:
        """Record a send or poll that ended well (``error`` None) or with ``error``."""
        now = self.clock()
        values: dict[str, Any] = {"last_action": action}
        if error is None:
            values["last_success_at"] = now
        else:
            values.update(last_error_at=now, last_error=error[:300])
        done = self.conn.execute(
            update(status_table)
            .where(status_table.c.org_id == self.org_id, status_table.c.connector == connector)
            .values(**values)
        )
        if not done.rowcount:
            self.conn.execute(insert(status_table), [self.new_row(connector=connector, **values)])

    def statuses(self) -> list[ConnectorStatus]:
        rows = self.conn.execute(self.scoped(status_table).order_by(status_table.c.connector))
        return [
            ConnectorStatus(
                r.connector, r.last_action, r.last_success_at, r.last_error_at, r.last_error
            )
            for r in rows
        ]


def _file(row: Any) -> TrackedFile:
    return TrackedFile(
        int(row.id),
        row.connector,
        row.direction,
        row.remote_name,
        row.local_name,
        row.sha256,
        row.kind,
        row.status,
        dict(row.result or {}),
    )
