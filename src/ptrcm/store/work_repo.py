"""Work items as billers work them: read one with its history, change it under
optimistic concurrency, and the write-offs a claim's balance may end in (0020).

A change names the version it was made on; ``change`` updates the row only while that is
still its version (one ``UPDATE ... WHERE version = :seen``), raises the version, appends a
``work_item_events`` row and an audit row. A change on an older version updates nothing
and raises ``ConflictError``: two billers cannot overwrite each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from ptrcm.errors import ConflictError
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.scoped import Clock, OrgScoped
from ptrcm.store.tables import memberships, users, work_item_events, work_items, write_offs

# The columns a change may set (the rest are written by posting and acknowledgments).
CHANGEABLE = frozenset({"assigned_membership_id", "state", "follow_up_on"})


class WorkLog(OrgScoped):
    """One organization's work items: read, changed, and their history."""

    def __init__(
        self, conn: Connection, org_id: int, actor: str, clock: Clock, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def get(self, item_id: int) -> dict[str, Any] | None:
        query = self.scoped(work_items).where(work_items.c.id == item_id)
        row = self.conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def for_claim(self, claim_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(work_items)
            .where(work_items.c.claim_id == claim_id)
            .order_by(work_items.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def history(self, item_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(work_item_events)
            .where(work_item_events.c.work_item_id == item_id)
            .order_by(work_item_events.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def change(
        self,
        item_id: int,
        seen_version: int,
        values: Mapping[str, Any],
        event: str,
        note: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """Apply ``values`` if the item is still at ``seen_version``; its new version.
        ``ConflictError`` when it changed since (or does not exist)."""
        unknown = set(values) - CHANGEABLE
        if unknown:
            raise ValueError(f"work item columns not changeable here: {sorted(unknown)}")
        now = self.clock()
        extra: dict[str, Any] = {}
        if values.get("state") in ("done", "dismissed"):
            extra["resolved_at"] = now
        elif "state" in values:
            extra["resolved_at"] = None
        result = self.conn.execute(
            update(work_items)
            .where(
                work_items.c.org_id == self.org_id,
                work_items.c.id == item_id,
                work_items.c.version == seen_version,
            )
            .values(**values, **extra, updated_at=now, version=work_items.c.version + 1)
        )
        if result.rowcount != 1:
            current = self.get(item_id)
            if current is None:
                raise ConflictError(f"work item {item_id} does not exist")
            raise ConflictError(
                f"work item {item_id} was changed by someone else (version"
                f" {current['version']}, your copy is version {seen_version}); reload it"
            )
        facts = {k: _plain(v) for k, v in {**values, **(detail or {})}.items()}
        self.conn.execute(
            insert(work_item_events),
            self.new_row(
                work_item_id=item_id,
                membership_id=None,
                actor=self.actor,
                event=event,
                note=note,
                detail=facts or None,
                occurred_at=now,
            ),
        )
        self.audit.record(
            [AuditEvent("update", "work_items", str(item_id), None, {"event": event, **facts})]
        )
        return seen_version + 1

    def membership_of(self, username: str) -> int | None:
        """The active membership in this organization of the user ``username``."""
        query = (
            select(memberships.c.id)
            .join(users, users.c.id == memberships.c.user_id)
            .where(
                memberships.c.org_id == self.org_id,
                memberships.c.active.is_(True),
                users.c.username == username.strip().lower(),
            )
        )
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def member_names(self, membership_ids: Sequence[int]) -> dict[int, str]:
        if not membership_ids:
            return {}
        query = (
            select(memberships.c.id, users.c.username)
            .join(users, users.c.id == memberships.c.user_id)
            .where(memberships.c.org_id == self.org_id, memberships.c.id.in_(membership_ids))
        )
        return {int(i): str(n) for i, n in self.conn.execute(query)}


class WriteOffs(OrgScoped):
    """Write-offs requested, approved or refused; each change audited."""

    def __init__(
        self, conn: Connection, org_id: int, actor: str, clock: Clock, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def request(self, claim_id: int, amount: Decimal, category: str, reason: str, on: date) -> int:
        row = self.new_row(
            claim_id=claim_id, amount=amount, category=category, reason=reason[:2000],
            state="pending", requested_by=self.actor, effective_date=on,
        )  # fmt: skip
        new_id = int(
            self.conn.execute(insert(write_offs).returning(write_offs.c.id), row).scalar_one()
        )
        detail = {"claim_id": claim_id, "amount": f"{amount:.2f}", "category": category}
        self.audit.record([AuditEvent("create", "write_offs", str(new_id), None, detail)])
        self.touch_claims([claim_id])
        return new_id

    def decide(self, write_off_id: int, state: str) -> None:
        now = self.clock()
        result = self.conn.execute(
            update(write_offs)
            .where(
                write_offs.c.org_id == self.org_id,
                write_offs.c.id == write_off_id,
                write_offs.c.state == "pending",
            )
            .values(state=state, decided_by=self.actor, decided_at=now)
        )
        if result.rowcount != 1:
            raise ConflictError(f"write-off {write_off_id} is not pending")
        self.audit.record(
            [AuditEvent("update", "write_offs", str(write_off_id), None, {"state": state})]
        )

    def get(self, write_off_id: int) -> dict[str, Any] | None:
        query = self.scoped(write_offs).where(write_offs.c.id == write_off_id)
        row = self.conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def for_claim(self, claim_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(write_offs)
            .where(write_offs.c.claim_id == claim_id)
            .order_by(write_offs.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a change's value (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value
