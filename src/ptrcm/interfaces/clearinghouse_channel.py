"""A configured clearinghouse connector as a transfer channel: its SFTP endpoint, the local
spool folders and the retry backoff (used by ``ptrcm clearinghouse`` and the poll job)."""

from __future__ import annotations

import time
from pathlib import Path

from ptrcm.config import Config
from ptrcm.errors import ConfigError
from ptrcm.interfaces.sftp import SftpDrop, SftpEndpoint
from ptrcm.services.clearinghouse.retry import Backoff
from ptrcm.services.clearinghouse.transfer import Channel


def open_channel(config: Config, name: str, spool: Path) -> Channel:
    """The channel of ``[clearinghouse.<name>]``; ``ConfigError`` when there is none."""
    connector = config.clearinghouses.get(name)
    if connector is None:
        known = ", ".join(sorted(config.clearinghouses)) or "none configured"
        raise ConfigError(config.source, f"clearinghouse.{name}", f"no such section ({known})")
    endpoint = SftpEndpoint(connector.name, connector.host, connector.port, connector.user,
                            connector.key_file, connector.host_key)  # fmt: skip
    return Channel(connector, lambda: SftpDrop(endpoint), spool, Backoff(), time.sleep)
