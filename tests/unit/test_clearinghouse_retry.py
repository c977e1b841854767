"""Backoff and retry of clearinghouse sessions (services/clearinghouse/retry.py)."""

from __future__ import annotations

import pytest

from ptrcm.services.clearinghouse.ports import RemoteFile, TransportDown, TransportRefused
from ptrcm.services.clearinghouse.retry import Backoff, with_retries


class _Drop:
    def __init__(self) -> None:
        self.closed = False

    def list_files(self, folder: str) -> list[RemoteFile]:
        return []

    def read(self, folder: str, name: str) -> bytes:
        return b""

    def write(self, folder: str, name: str, data: bytes) -> None:
        pass

    def move(self, folder: str, name: str, to_folder: str) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def test_delays_grow_and_cap() -> None:
    assert Backoff(attempts=5, first_delay_seconds=1, factor=3, max_delay_seconds=10).delays() == [
        1,
        3,
        9,
        10,
    ]


def test_a_dropped_session_is_retried_on_a_fresh_one() -> None:
    drops: list[_Drop] = []
    slept: list[float] = []

    def opener() -> _Drop:
        drops.append(_Drop())
        return drops[-1]

    def work(drop: object) -> str:
        if len(drops) < 3:
            raise TransportDown("dropped")
        return "ok"

    assert with_retries(opener, work, Backoff(attempts=4), slept.append) == "ok"
    assert len(drops) == 3 and all(d.closed for d in drops)
    assert slept == [1.0, 2.0]


def test_gives_up_after_the_last_attempt() -> None:
    slept: list[float] = []

    def opener() -> _Drop:
        raise TransportDown("cannot connect")

    with pytest.raises(TransportDown):
        with_retries(opener, lambda d: None, Backoff(attempts=3), slept.append)
    assert slept == [1.0, 2.0]


def test_a_refusal_is_not_retried() -> None:
    calls: list[int] = []

    def opener() -> _Drop:
        calls.append(1)
        raise TransportRefused("refused key")

    with pytest.raises(TransportRefused):
        with_retries(opener, lambda d: None, Backoff(attempts=5), lambda s: None)
    assert calls == [1]
