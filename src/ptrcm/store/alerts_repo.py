"""Systemic-denial events in the store; every write is in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ptrcm.domain.alerts.detect import Event, EventKind, Severity, StoredEvent
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.scoped import Clock, OrgScoped
from ptrcm.store.tables import systemic_events
from ptrcm.store.types import utc_now

STATUSES = ("open", "acknowledged", "closed")


class AlertRepository(OrgScoped):
    def __init__(
        self, conn: Any, org_id: int, actor: str, clock: Clock = utc_now, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def open_keys(self) -> set[tuple[str, str, str | None]]:
        t = systemic_events
        rows = self.conn.execute(
            select(t.c.kind, t.c.payer, t.c.reason).where(
                t.c.org_id == self.org_id, t.c.status != "closed"
            )
        )
        return {(kind, payer, reason or None) for kind, payer, reason in rows}

    def add(self, event: Event, owner: str, due_at: datetime) -> int | None:
        row = self.new_row(
            kind=str(event.kind), payer=event.payer, reason=event.reason or "",
            detected_on=event.day, severity=str(event.severity), summary=event.summary[:400],
            p_value=None if event.p_value is None else f"{event.p_value:.3g}",
            evidence=list(event.evidence), owner=owner, due_at=due_at, status="open",
            notified=[],
        )  # fmt: skip
        savepoint = self.conn.begin_nested()
        try:
            new_id = self.insert_with_ids(systemic_events, [row])[0]
        except IntegrityError:  # the same event of that day is already recorded
            savepoint.rollback()
            return None
        savepoint.commit()
        self.audit.record([AuditEvent("create", "systemic_events", str(new_id))])
        return new_id

    def mark_notified(self, event_id: int, channels: tuple[str, ...]) -> None:
        t = systemic_events
        self.conn.execute(
            update(t)
            .where(t.c.org_id == self.org_id, t.c.id == event_id)
            .values(notified=list(channels))
        )
        detail = {"notified": list(channels)}
        self.audit.record([AuditEvent("update", "systemic_events", str(event_id), None, detail)])

    def events(self, status: str | None = None) -> list[StoredEvent]:
        t = systemic_events
        query = select(t).where(t.c.org_id == self.org_id).order_by(t.c.id)
        if status is not None:
            query = query.where(t.c.status == status)
        out = []
        for r in self.conn.execute(query).mappings():
            event = Event(
                EventKind(r["kind"]), r["payer"], r["detected_on"], Severity(r["severity"]),
                r["reason"] or None, r["summary"],
                None if r["p_value"] is None else float(r["p_value"]), tuple(r["evidence"]),
            )  # fmt: skip
            out.append(StoredEvent(int(r["id"]), event, r["owner"], r["due_at"], r["status"],
                                   tuple(r["notified"])))  # fmt: skip
        return out

    def set_status(self, event_id: int, status: str, owner: str | None) -> bool:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        t = systemic_events
        values: dict[str, Any] = {"status": status}
        if owner:
            values["owner"] = owner
        if status == "closed":
            values["closed_at"] = self.clock()
        done = self.conn.execute(
            update(t).where(t.c.org_id == self.org_id, t.c.id == event_id).values(**values)
        )
        if done.rowcount:
            detail = {"status": status, **({"owner": owner} if owner else {})}
            self.audit.record([AuditEvent("update", "systemic_events", str(event_id), None,
                                          detail)])  # fmt: skip
        return bool(done.rowcount)
