"""The web app's trails: the audit row of every PHI disclosure, and the access log.

``AuditOnDisclosure`` writes the one audit row a PHI route owes (``auth.PendingRead``) when
the response starts with a 2xx status, before any byte of its body is sent: if the row
cannot be written the client gets a 500 and no data (a disclosure is never unrecorded).
A 4xx (a foreign or unknown id, a refused role) discloses nothing and writes no audit row;
it is in the access log.

``AccessLog`` writes one line per request to the ``ptrcm.access`` logger: client address,
method, the *route* (``/claims/{claim_id}``: the path's pattern, never the text a client
put in it, nor the query string, which carry names and filters), status, milliseconds,
and the principal as ids (``user:alice``, ``token:7``, organization id). Which record a
successful read disclosed is in the audit trail, not in the log.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ptrcm.services.access.trail import record_read

log = logging.getLogger("ptrcm.access")


def _state(scope: Scope) -> dict[str, Any]:
    found: dict[str, Any] = scope.setdefault("state", {})
    return found


class AuditOnDisclosure:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def audited(message: Message) -> None:
            if message["type"] == "http.response.start":
                pending = _state(scope).pop("phi_read", None)
                if pending is not None and 200 <= message["status"] < 300:
                    await run_in_threadpool(_write, scope, pending)
            await send(message)

        await self.app(scope, receive, audited)


def _write(scope: Scope, pending: Any) -> None:
    gate = scope["app"].state.gate
    with gate.unit_of_work() as uow:
        record_read(
            uow.access, pending.principal, pending.action, pending.table_name,
            pending.record_id, gate.settings.now(), pending.client_address,
        )  # fmt: skip
        uow.commit()


def _route(scope: Scope) -> str:
    """The matched route's pattern; static files by their folder; anything else unnamed."""
    route = scope.get("route")
    pattern = getattr(route, "path", None)
    if isinstance(pattern, str):
        return pattern
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static/…"
    return "<no route>"


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.monotonic(), 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            principal = _state(scope).get("principal")
            who = "-" if principal is None else f"{principal.actor} org={principal.org_id}"
            client = scope.get("client") or ("-", 0)
            log.info(
                '%s "%s %s" %d %dms %s', client[0], scope["method"], _route(scope), status,
                round((time.monotonic() - started) * 1000), who,
            )  # fmt: skip
