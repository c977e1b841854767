"""Searching one organization's audit trail (``ptrcm audit``): by actor, action, record,
patient and time, newest first, a page at a time (keyset on the row id, so an export of
the whole trail reads it in bounded chunks and never skips or repeats a row)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.engine import Connection

from ptrcm.store.tables import audit_log, patients

PAGE = 1000


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Every criterion optional. ``actors``: any of these actors. ``patient``: the
    patient's id in the organization (rows naming the patient, or reading the patient's
    record). ``start`` inclusive, ``end`` exclusive (UTC-aware)."""

    actors: Sequence[str] = ()
    action: str | None = None
    table_name: str | None = None
    record_id: str | None = None
    patient: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit row as an auditor reads it. ``patient`` is the patient's id in the
    organization (never a name); ``detail`` holds ids and counts only."""

    id: int
    occurred_at: datetime
    organization: str
    actor: str
    action: str
    table_name: str
    record_id: str | None
    patient: str | None
    detail: dict[str, Any] | None


def _query(org_id: int, wanted: AuditFilter) -> Select[Any]:
    a = audit_log.c
    query = (
        select(a.id, a.occurred_at, a.actor, a.action, a.table_name, a.record_id, a.detail,
               patients.c.external_id.label("patient"))
        .select_from(audit_log.outerjoin(
            patients, and_(patients.c.org_id == a.org_id, patients.c.id == a.patient_id)))
        .where(a.org_id == org_id)
    )  # fmt: skip
    if wanted.actors:
        query = query.where(a.actor.in_(list(wanted.actors)))
    for column, value in (
        (a.action, wanted.action),
        (a.table_name, wanted.table_name),
        (a.record_id, wanted.record_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if wanted.patient is not None:
        query = query.where(
            or_(
                patients.c.external_id == wanted.patient,
                and_(a.table_name == "patients", a.record_id == wanted.patient),
            )
        )
    if wanted.start is not None:
        query = query.where(a.occurred_at >= wanted.start)
    if wanted.end is not None:
        query = query.where(a.occurred_at < wanted.end)
    return query


def search_audit(
    conn: Connection,
    org_id: int,
    organization: str,
    wanted: AuditFilter,
    limit: int,
    before_id: int | None = None,
) -> list[AuditRow]:
    """Up to ``limit`` matching rows of organization ``org_id``, newest first (rows with
    an id below ``before_id`` when given: the next page)."""
    query = _query(org_id, wanted)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    rows = conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit))
    return [
        AuditRow(int(r.id), r.occurred_at, organization, r.actor, r.action, r.table_name,
                 r.record_id, r.patient, r.detail)
        for r in rows
    ]  # fmt: skip


def every_audit_row(
    conn: Connection, org_id: int, organization: str, wanted: AuditFilter
) -> Iterator[AuditRow]:
    """Every matching row, newest first, read ``PAGE`` rows at a time."""
    before: int | None = None
    while True:
        page = search_audit(conn, org_id, organization, wanted, PAGE, before)
        yield from page
        if len(page) < PAGE:
            return
        before = page[-1].id
