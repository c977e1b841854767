"""An MLLP listener for HL7 v2 charge messages: one import and one ACK per message.

Framing is python-hl7's (``hl7.mllp``: <VT> message <FS><CR>); a connection may carry any
number of messages, each answered in turn. Each message is imported on its own, all or
nothing: AA when its visit is stored (inserted, updated or unchanged), AE when it is
quarantined (MSA-3 and ERR say why, by field, without patient data), AR when it could not
be stored at all (the database was busy or failed: send it again).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import hl7
from hl7.mllp import InvalidBlockError, start_hl7_server

from ptrcm.interfaces.hl7_write import escape

Answer = tuple[str, str | None]  # ("AA" | "AE" | "AR", reason without PHI)
MAX_MESSAGE_BYTES = 1_048_576


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def ack(text: str, code: str, reason: str | None, counter: int) -> str:
    """The ACK of ``text``: MSA-1 ``code``, MSA-2 the message's control id, MSA-3 and an
    ERR segment with ``reason`` when it is not AA."""
    control = f"ACK{counter:09d}"
    try:
        parsed = hl7.parse(text)
        out = str(parsed.create_ack(code, message_id=control, application="PTRCM", facility=""))
    except Exception:  # not a message python-hl7 can read: answer with our own header
        msh = f"MSH|^~\\&|PTRCM||||{_stamp()}||ACK|{control}|P|2.5.1"
        out = f"{msh}\rMSA|{code}|"
    segments = [s for s in out.split("\r") if s]
    if reason:
        segments[-1] = segments[-1].rstrip("|") + "|" + escape(reason[:80])
        segments.append(f"ERR|||207^{escape(reason[:200])}^HL70357|E")
    return "\r".join(segments) + "\r"


class MllpListener:
    """Serve ``handle`` (message text -> answer) on ``host``:``port`` until stopped.

    Connections are served concurrently; their messages are imported one at a time, in a
    worker thread so the event loop keeps reading."""

    def __init__(self, handle: Callable[[str], Answer], host: str, port: int) -> None:
        self.handle = handle
        self.host = host
        self.port = port
        self.answered = 0
        self._server: asyncio.Server | None = None
        self._one_at_a_time = threading.Lock()  # imports never race each other

    def _handle(self, text: str) -> Answer:
        with self._one_at_a_time:
            return self.handle(text)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    block = await reader.readblock()  # type: ignore[attr-defined]
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                except (InvalidBlockError, ValueError):
                    break  # not MLLP framing, or over the limit: drop the connection
                try:
                    text = block.decode("utf-8")
                    answer = await asyncio.to_thread(self._handle, text)
                except UnicodeDecodeError:
                    text, answer = block.decode("latin-1"), ("AE", "the message is not UTF-8")
                self.answered += 1
                reply = ack(text, answer[0], answer[1], self.answered)
                writer.writeblock(reply.encode("utf-8"))  # type: ignore[attr-defined]
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def serve(self, ready: Callable[[int], None] | None = None) -> None:
        """Listen until SIGINT/SIGTERM (or ``stop``); ``ready`` gets the bound port."""
        self._server = await start_hl7_server(
            self._client, self.host, self.port, limit=MAX_MESSAGE_BYTES
        )
        port = int(self._server.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        if ready is not None:
            ready(port)
        async with self._server:
            with contextlib.suppress(asyncio.CancelledError):
                await self._server.serve_forever()

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
