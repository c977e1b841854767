"""Retry a clearinghouse session with exponential backoff on connection trouble only.

``TransportDown`` is retried (a fresh session each attempt: a dropped SFTP channel is not
reused); ``TransportRefused`` and every other error stop at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ptrcm.services.clearinghouse.ports import FileDrop, FileDropOpener, TransportDown

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    attempts: int = 4
    first_delay_seconds: float = 1.0
    factor: float = 2.0
    max_delay_seconds: float = 60.0

    def delays(self) -> list[float]:
        """The waits between attempts (one fewer than the attempts)."""
        out, delay = [], self.first_delay_seconds
        for _ in range(max(self.attempts - 1, 0)):
            out.append(min(delay, self.max_delay_seconds))
            delay *= self.factor
        return out


def with_retries(
    opener: FileDropOpener,
    work: Callable[[FileDrop], T],
    backoff: Backoff,
    sleep: Callable[[float], None],
) -> T:
    """Open a session, run ``work`` on it, close it; on TransportDown wait and start over.

    ``work`` must be safe to run again after a partial run (the services make it so by
    remembering each fetched file's name and hash before acting on it).
    """
    waits = backoff.delays()
    while True:
        try:
            drop = opener()
            try:
                return work(drop)
            finally:
                # Closing a dead session may fail too; the first error is the one to keep.
                with contextlib.suppress(Exception):
                    drop.close()
        except TransportDown:
            if not waits:
                raise
            sleep(waits.pop(0))
