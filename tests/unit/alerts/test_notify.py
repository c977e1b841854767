"""Sending an event: a real local SMTP server (aiosmtpd) and a local webhook receiver get
the event's figures and claim PCNs, and nothing else about a patient."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from ptrcm.domain.alerts.detect import Event, EventKind, Severity, StoredEvent
from ptrcm.domain.alerts.settings import Channels
from ptrcm.services.alerts.notify import send

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd not installed")

EVENT = StoredEvent(
    7,
    Event(
        EventKind.REASON_SPIKE,
        "BCBS",
        date(2026, 3, 11),
        Severity.HIGH,
        "CO-197",
        "CO-197 on 9 of 30 claims (30%) today",
        1e-9,
        ("V-000001-0001", "V-000002-0001"),
    ),
    "Dana",
    datetime(2026, 3, 12, 2, 0, tzinfo=UTC),
    "open",
    (),
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port (the controller checks it answers)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_email_and_webhook(smtp: tuple[Inbox, int], webhook: tuple[list, str]) -> None:
    inbox, port = smtp
    received, url = webhook
    channels = Channels("127.0.0.1", port, "ptrcm@clinic.test", ("billing@clinic.test",), url)
    assert send(EVENT, "default", channels) == ("email", "webhook")
    (mail,) = inbox.messages
    text = mail.content.decode()
    assert mail.rcpt_tos == ["billing@clinic.test"]
    assert "Subject: [ptrcm high] BCBS: CO-197 (2026-03-11)" in text
    assert "CO-197 on 9 of 30 claims" in text and "V-000001-0001" in text and "Dana" in text
    (hook,) = received
    assert hook["payer"] == "BCBS" and hook["claims"] == ["V-000001-0001", "V-000002-0001"]
    assert set(hook) == {
        "id",
        "organization",
        "kind",
        "payer",
        "reason",
        "day",
        "severity",
        "summary",
        "claims",
        "owner",
        "due_at",
    }


def test_a_server_that_is_not_there_is_an_oserror() -> None:
    with pytest.raises(OSError):
        send(EVENT, "default", Channels("127.0.0.1", 1, mail_to=("a@b.test",)))
    assert send(EVENT, "default", Channels()) == ()
