"""Where a systemic-denial event goes: its escalation (owner, hours until due) and the
channels it is sent on (``[alerts]`` in ptrcm.toml)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Escalation:
    owner: str = "billing manager"
    due_hours: int = 24


@dataclass(frozen=True, slots=True)
class Channels:
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "ptrcm@localhost"
    mail_to: tuple[str, ...] = ()
    webhook_url: str | None = None
