"""The request body limit: a body larger than ``MAX_BODY_BYTES`` is refused with 413.

Checked twice, in one ASGI middleware: by the declared ``Content-Length`` before the app
runs, and by the bytes actually received, so a chunked or lying client cannot stream past
it. The app's only body is a booking check of a few hundred bytes; 64 KiB leaves room for
any honest request and keeps a 200 MB upload from ever being buffered.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024
TOO_LARGE = f"request body over {MAX_BODY_BYTES} bytes"


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (declared or streamed) with 413."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > self.limit):
            status, detail = (413, TOO_LARGE) if declared > self.limit else (400, "bad length")
            await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
            return
        seen, started = 0, False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; -1 when the header is not a whole number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else -1
    return None
