"""The patient-inquiry log: a billing question opened and answered (channel and topic
codes, never the question's text); every write is in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from ptrcm.errors import InputError, RecordProblem
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.scoped import Clock, OrgScoped
from ptrcm.store.tables import patient_inquiries, patients
from ptrcm.store.types import utc_now

CHANNELS = ("phone", "portal", "email", "mail", "in_person")
TOPICS = ("balance", "statement", "insurance", "payment_plan", "estimate", "other")


class InquiryRepository(OrgScoped):
    def __init__(
        self, conn: Any, org_id: int, actor: str, clock: Clock = utc_now, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def open(
        self, patient: str | None, channel: str, topic: str, at: datetime | None = None
    ) -> int:
        """Log an inquiry (``patient``: the patient's external id, or None when unknown)."""
        if channel not in CHANNELS:
            raise InputError(
                [RecordProblem("inquiry", None, "channel", f"must be one of {', '.join(CHANNELS)}")]
            )
        if topic not in TOPICS:
            raise InputError(
                [RecordProblem("inquiry", None, "topic", f"must be one of {', '.join(TOPICS)}")]
            )
        patient_id = None
        if patient is not None:
            found = self.conn.execute(
                self.scoped(patients, patients.c.id).where(patients.c.external_id == patient)
            ).scalar_one_or_none()
            if found is None:
                raise InputError([RecordProblem("inquiry", None, "patient", "no such patient")])
            patient_id = int(found)
        row = self.new_row(patient_id=patient_id, channel=channel, topic=topic,
                           opened_at=at or self.clock())  # fmt: skip
        new_id = self.insert_with_ids(patient_inquiries, [row])[0]
        self.audit.record([AuditEvent("create", "patient_inquiries", str(new_id), patient_id)])
        return new_id

    def answer(self, inquiry_id: int, at: datetime | None = None) -> bool:
        t = patient_inquiries
        done = self.conn.execute(
            update(t)
            .where(t.c.org_id == self.org_id, t.c.id == inquiry_id, t.c.answered_at.is_(None))
            .values(answered_at=at or self.clock(), answered_by=self.actor)
        )
        if done.rowcount:
            self.audit.record([AuditEvent("update", "patient_inquiries", str(inquiry_id))])
        return bool(done.rowcount)

    def listing(self, open_only: bool = False) -> list[dict[str, Any]]:
        """Ids, codes and times (no patient detail)."""
        t = patient_inquiries
        query = select(t.c.id, t.c.channel, t.c.topic, t.c.opened_at, t.c.answered_at).where(
            t.c.org_id == self.org_id
        )
        if open_only:
            query = query.where(t.c.answered_at.is_(None))
        return [dict(r) for r in self.conn.execute(query.order_by(t.c.id)).mappings()]
