"""The governance sections of ``ptrcm.toml``: ``[targets]`` (KPI targets, shared and per
organization, and the engagement's start), ``[sla]`` (days per service level), ``[alerts]``
(who owns a systemic-denial event and where it is sent) and ``[costs]`` (the revenue cycle's
monthly cost). docs/review-pack.md and docs/alerts.md describe them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.config.values import known, money
from ptrcm.domain.alerts.settings import Channels, Escalation
from ptrcm.domain.money import Money
from ptrcm.domain.targets import DEFAULT_SLAS, DEFAULT_TARGETS
from ptrcm.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AlertSettings:
    escalation: Escalation = field(default_factory=Escalation)
    channels: Channels = field(default_factory=Channels)


def parse_costs(source: str, raw: Mapping[str, Any]) -> dict[str, Money]:
    known(source, raw, "costs", _COST_KEYS)
    return {key: money(source, f"costs.{key}", value) for key, value in raw.items()}


_COST_KEYS = ("staff", "technology", "overhead")


_ALERT_KEYS = ("owner", "due_hours", "smtp_host", "smtp_port", "mail_from", "mail_to",
               "webhook_url")  # fmt: skip


def parse_alerts(source: str, raw: Mapping[str, Any]) -> AlertSettings:
    known(source, raw, "alerts", _ALERT_KEYS)
    for key in ("due_hours", "smtp_port"):
        value = raw.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(source, f"alerts.{key}", "must be a whole number of 1 or more")
    for key in ("owner", "smtp_host", "mail_from", "webhook_url"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigError(source, f"alerts.{key}", "must be a string")
    url = raw.get("webhook_url")
    if url is not None and not str(url).startswith(("https://", "http://")):
        raise ConfigError(source, "alerts.webhook_url", "must be an http(s) URL")
    to = raw.get("mail_to", [])
    if not isinstance(to, list) or not all(isinstance(a, str) and "@" in a for a in to):
        raise ConfigError(source, "alerts.mail_to", "must be a list of email addresses")
    base, mail = Escalation(), Channels()
    return AlertSettings(
        Escalation(raw.get("owner", base.owner), raw.get("due_hours", base.due_hours)),
        Channels(raw.get("smtp_host"), raw.get("smtp_port", mail.smtp_port),
                 raw.get("mail_from", mail.mail_from), tuple(to), url),
    )  # fmt: skip


def parse_targets(
    source: str, raw: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Decimal]], date | None]:
    """[targets]: decimals by KPI key, an engagement_start date, and per-organization tables."""
    keys = {t.kpi for t in DEFAULT_TARGETS}
    out: dict[str, dict[str, Decimal]] = {}

    def numbers(table: Mapping[str, Any], where: str, org: str) -> None:
        for key, value in table.items():
            if key not in keys:
                expected = ", ".join(sorted(keys))
                message = f"unknown key; expected one of {expected}"
                raise ConfigError(source, f"{where}.{key}", message)
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ConfigError(source, f"{where}.{key}", "must be a number")
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                raise ConfigError(source, f"{where}.{key}", "must be a number") from None
            if not number.is_finite() or number < 0:
                raise ConfigError(source, f"{where}.{key}", "must be a number of 0 or more")
            out.setdefault(org, {})[key] = number

    shared = {k: v for k, v in raw.items() if not isinstance(v, dict) and k != "engagement_start"}
    numbers(shared, "targets", "")
    for org, table in raw.items():
        if isinstance(table, dict):
            numbers(table, f"targets.{org}", org)
    start = raw.get("engagement_start")
    if start is None or isinstance(start, date):
        return out, start
    try:
        return out, date.fromisoformat(str(start))
    except ValueError:
        raise ConfigError(source, "targets.engagement_start", "must be a date") from None


def parse_sla(source: str, raw: Mapping[str, Any]) -> dict[str, int]:
    known(source, raw, "sla", tuple(s.name for s in DEFAULT_SLAS))
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(source, f"sla.{key}", "must be a whole number of days")
    return dict(raw)
