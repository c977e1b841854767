"""A clearinghouse connector as ``ptrcm.toml`` declares it (``[clearinghouse.<name>]``).

The connector names the SFTP server (host, port, user, key file and the pinned host key),
the remote folders, the remote file naming pattern, the polling interval and the pilot
scope: the locations and payers whose claims go through it (empty: all of them). Every
key is checked; an unknown key or a bad value is a ``ConfigError`` naming file and key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptrcm.errors import ConfigError

CONNECTOR_KEYS = (
    "host", "port", "user", "key_file", "host_key", "outbound", "inbound", "done", "failed",
    "file_name", "poll_minutes", "locations", "payers",
)  # fmt: skip
DEFAULT_FILE_NAME = "{name}"
NAME_FIELDS = frozenset({"name", "connector", "hash"})
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_FIELD = re.compile(r"{([^{}]*)}")


@dataclass(frozen=True, slots=True)
class Connector:
    name: str
    host: str
    port: int
    user: str
    key_file: Path
    host_key: str  # "ssh-ed25519 AAAA...": the server must present exactly this key
    outbound: str
    inbound: str
    done: str
    failed: str
    file_name: str = DEFAULT_FILE_NAME  # remote name of an upload: {name} {connector} {hash}
    poll_minutes: int = 15
    locations: tuple[str, ...] = ()  # pilot scope; empty: every location
    payers: tuple[str, ...] = ()  # pilot scope; empty: every payer

    def covers(self, payer: str, location: str | None) -> bool:
        """Whether a claim to ``payer`` from ``location`` is in the connector's pilot."""
        if self.payers and payer not in self.payers:
            return False
        return not self.locations or (location is not None and location in self.locations)

    def remote_name(self, name: str, sha256: str) -> str:
        """The upload's remote name; {hash} is the first 12 hex digits of its SHA-256."""
        return self.file_name.format(name=name, connector=self.name, hash=sha256[:12])


def parse_connectors(source: str, table: Mapping[str, Any]) -> dict[str, Connector]:
    return {name: _connector(source, name, raw) for name, raw in table.items()}


def _connector(source: str, name: str, raw: object) -> Connector:
    where = f"clearinghouse.{name}"
    if not _NAME.match(name):
        raise ConfigError(source, where, "a connector name is letters, digits, _ or - (40 at most)")
    if not isinstance(raw, Mapping):
        raise ConfigError(source, where, "must be a table")
    for key in raw:
        if key not in CONNECTOR_KEYS:
            expected = ", ".join(CONNECTOR_KEYS)
            raise ConfigError(source, f"{where}.{key}", f"unknown key; expected one of {expected}")
    text = _Reader(source, where, raw)
    host_key = text.text("host_key")
    if len(host_key.split()) < 2 or not host_key.split()[0].startswith(("ssh-", "ecdsa-")):
        raise ConfigError(source, f"{where}.host_key", "must be an OpenSSH public key line")
    pattern = raw.get("file_name", DEFAULT_FILE_NAME)
    fields = set(_FIELD.findall(pattern)) if isinstance(pattern, str) else set()
    if not isinstance(pattern, str) or "{name}" not in pattern or fields - NAME_FIELDS:
        raise ConfigError(
            source, f"{where}.file_name", "must contain {name} and only {name} {connector} {hash}"
        )
    return Connector(
        name=name, host=text.text("host"), port=text.number("port", 22, 65535),
        user=text.text("user"), key_file=Path(text.text("key_file")),
        host_key=" ".join(host_key.split()[:2]), outbound=text.text("outbound"),
        inbound=text.text("inbound"), done=text.text("done"), failed=text.text("failed"),
        file_name=pattern, poll_minutes=text.number("poll_minutes", 15, 1440),
        locations=text.names("locations"), payers=text.names("payers"),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Reader:
    """One connector table's values, each checked, with errors naming file and key."""

    source: str
    where: str
    raw: Mapping[str, Any]

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value.strip():
            message = "is required and must be a non-empty string"
            raise ConfigError(self.source, f"{self.where}.{key}", message)
        return value.strip()

    def number(self, key: str, default: int, high: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            message = f"must be a whole number from 1 to {high}"
            raise ConfigError(self.source, f"{self.where}.{key}", message)
        return value

    def names(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            message = "must be a list of non-empty strings"
            raise ConfigError(self.source, f"{self.where}.{key}", message)
        return tuple(value)


@dataclass(frozen=True, slots=True)
class TrackedFile:
    """A file sent to (``out``) or fetched from (``in``) a clearinghouse, as recorded."""

    id: int
    connector: str
    direction: str
    remote_name: str
    local_name: str
    sha256: str
    kind: str
    status: str  # out: sending, sent; in: fetched, posted, failed
    result: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ConnectorStatus:
    """A connector's last success and last error (the error is one line, no patient data)."""

    connector: str
    last_action: str | None
    last_success_at: Any  # datetime | None (aware, UTC)
    last_error_at: Any
    last_error: str | None
