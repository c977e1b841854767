"""Each configured connector's status: pilot scope, last success, last error, file counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ptrcm.domain.clearinghouse import Connector
from ptrcm.services.clearinghouse.ports import ClearinghouseWork


def connector_status(
    records: ClearinghouseWork, connectors: Mapping[str, Connector]
) -> list[dict[str, Any]]:
    """One row per configured connector (no patient data: names, times, counts)."""
    with records() as uow:
        stored = {s.connector: s for s in uow.clearinghouse.statuses()}
        files = uow.clearinghouse.files(limit=100_000)
    rows = []
    for name in sorted(connectors):
        c, s = connectors[name], stored.get(name)
        counts: dict[str, int] = {}
        for f in files:
            if f.connector == name:
                key = f"{f.direction} {f.status}"
                counts[key] = counts.get(key, 0) + 1
        rows.append({
            "connector": name,
            "host": f"{c.host}:{c.port}",
            "poll_minutes": c.poll_minutes,
            "payers": list(c.payers),
            "locations": list(c.locations),
            "last_action": s.last_action if s else None,
            "last_success_at": s.last_success_at.isoformat() if s and s.last_success_at else None,
            "last_error_at": s.last_error_at.isoformat() if s and s.last_error_at else None,
            "last_error": s.last_error if s else None,
            "files": counts,
        })  # fmt: skip
    return rows
