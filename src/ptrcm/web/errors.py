"""How the web app answers errors: a status code and a short message, never a traceback.

Bad parameters are 4xx (400 on pages, 422 with the failing fields in the API, without
echoing the value sent); an unexpected failure is a 500 naming an error id, and the log
line for it carries the id and the exception's type only — exception messages can hold SQL
parameters, hence patient data.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ptrcm.errors import PtrcmError
from ptrcm.web.deps import PRINTABLE

log = logging.getLogger("ptrcm.web")
EXCERPT_CHARS = 40
MESSAGE_CHARS = 200


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``value`` as at most ``limit`` printable characters: control characters escaped,
    the rest cut with an ellipsis."""
    text = "".join(c if c.isprintable() else _escaped(c) for c in str(value)[: limit * 2])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escaped(char: str) -> str:
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _message(error: Mapping[str, Any]) -> str:
    if (error.get("ctx") or {}).get("pattern") == PRINTABLE:
        return "must not contain control characters"
    return excerpt(error.get("msg", "invalid"), MESSAGE_CHARS)


def _fields(errors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "loc": [p if isinstance(p, int) else excerpt(p) for p in e.get("loc", ())],
            "msg": _message(e),
            "type": e.get("type", "value_error"),
        }
        for e in errors
    ]


def install_handlers(app: FastAPI, page: Callable[[Request, int, str], Response]) -> None:
    """Register the handlers; ``page`` renders an HTML error page for non-API paths."""

    def answer(request: Request, status: int, message: str) -> Response:
        message = excerpt(message, MESSAGE_CHARS)
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        return page(request, status, message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return answer(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        fields = _fields(exc.errors())
        if wants_json(request):
            return JSONResponse({"detail": fields}, status_code=422)
        where = ", ".join(".".join(str(p) for p in f["loc"]) for f in fields)
        return answer(request, 400, f"Bad value in {where}.")

    @app.exception_handler(PtrcmError)
    async def ptrcm_error(request: Request, exc: PtrcmError) -> Response:
        return answer(request, 400, str(exc))


class CatchAll:
    """Turn an unexpected exception into a 500 naming an error id; log the id and the
    exception's type, never its message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:  # the edge: every failure becomes a status code
            error_id = uuid.uuid4().hex[:12]
            log.error("request failed: error id %s (%s)", error_id, type(exc).__name__)
            if started:
                return
            body = {"detail": f"internal error (error id {error_id})"}
            await JSONResponse(body, status_code=500)(scope, receive, send)
