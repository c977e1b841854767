"""The audit trail from the access side: record a read of PHI, search and export a trail.

Reads of PHI are recorded by the web edge, one row per request that disclosed it, before
the response body leaves (``ptrcm.web.trail``); changes are recorded by the services that
make them. A search is always within one organization: an auditor sees their own
organization's trail, never another's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from ptrcm.domain.access import AuditEntry, AuditQuery, AuditRecord, Principal
from ptrcm.services.access.ports import AccessStore, AccessUnitOfWork

EXPORT_CHUNK = 1000
EXPORT_LIMIT = 1_000_000


def record_read(
    store: AccessStore,
    principal: Principal,
    action: str,
    table_name: str,
    record_id: str | None,
    at: datetime,
    client_address: str | None,
    detail: Mapping[str, object] | None = None,
) -> None:
    """One audit row for one disclosure of PHI to ``principal`` (``action``: read/export)."""
    store.record_audit(
        [
            AuditRecord(
                principal.org_id,
                principal.actor,
                action,
                table_name,
                record_id,
                at,
                principal.membership_id,
                client_address,
                detail,
            )
        ]
    )


def search(store: AccessStore, org_id: int, query: AuditQuery) -> tuple[list[AuditEntry], int]:
    """One page of the organization's trail (newest first) and how many rows match."""
    return store.audit_entries(org_id, query), store.audit_count(org_id, query)


def export(
    open_uow: Callable[[], AccessUnitOfWork], org_id: int, query: AuditQuery
) -> Iterator[AuditEntry]:
    """Every matching row, newest first, read a chunk per transaction (for a CSV download
    that never holds the whole trail in memory). ``open_uow`` makes a unit of work."""
    offset = 0
    while offset < EXPORT_LIMIT:
        page = AuditQuery(
            query.start,
            query.end,
            query.actor,
            query.action,
            query.table_name,
            query.record_id,
            EXPORT_CHUNK,
            offset,
        )
        with open_uow() as uow:
            rows = uow.access.audit_entries(org_id, page)
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK
