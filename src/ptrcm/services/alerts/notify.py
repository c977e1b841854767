"""Sending an event: email over SMTP (the standard library's ``smtplib``) and a JSON
webhook (``urllib``). Messages carry the event's figures and claim PCNs, never a patient's
name or any other patient detail."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from email.message import EmailMessage

from ptrcm.domain.alerts.detect import StoredEvent
from ptrcm.domain.alerts.settings import Channels

TIMEOUT_SECONDS = 10


def subject(stored: StoredEvent) -> str:
    e = stored.event
    what = e.reason or str(e.kind).replace("_", " ")
    return f"[ptrcm {e.severity}] {e.payer}: {what} ({e.day.isoformat()})"


def payload(stored: StoredEvent, org: str) -> dict[str, object]:
    e = stored.event
    return {
        "id": stored.id, "organization": org, "kind": str(e.kind), "payer": e.payer,
        "reason": e.reason, "day": e.day.isoformat(), "severity": str(e.severity),
        "summary": e.summary, "claims": list(e.evidence), "owner": stored.owner,
        "due_at": stored.due_at.isoformat(),
    }  # fmt: skip


def send(stored: StoredEvent, org: str, channels: Channels) -> tuple[str, ...]:
    """Send on every configured channel; the channels that took it. A channel that fails
    raises ``OSError`` (the caller reports it in one line and keeps the event open)."""
    sent = []
    if channels.smtp_host and channels.mail_to:
        message = EmailMessage()
        message["Subject"] = subject(stored)
        message["From"] = channels.mail_from
        message["To"] = ", ".join(channels.mail_to)
        claims = ", ".join(stored.event.evidence) or "-"
        lines = [stored.event.summary, "", f"Owner: {stored.owner}",
                 f"Due: {stored.due_at.isoformat()}", f"Claims: {claims}"]  # fmt: skip
        message.set_content("\n".join(lines) + "\n")
        with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
        sent.append("email")
    if channels.webhook_url:
        body = json.dumps(payload(stored, org)).encode()
        request = urllib.request.Request(
            channels.webhook_url, data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            if answer.status >= 300:
                raise OSError(f"webhook answered {answer.status}")
        sent.append("webhook")
    return tuple(sent)
