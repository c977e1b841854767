"""Damaged X12 (truncated, bytes flipped, delimiters swapped) never raises anything but
X12Error: 835s and every other sample through read_x12, 837P/837I through read_x12 and the
strict read_837."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptrcm.x12.claim837.read import read_837
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.errors import X12Error
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.sample import sample_remittance
from ptrcm.x12.remit835.write import write_835
from tests.unit.x12.remits import sample_835
from tests.unit.x12_write import factory


def _samples(prefix: str = "") -> list[bytes]:
    folder = Path(
        os.environ.get("PTRCM_X12_SAMPLES")
        or Path(__file__).resolve().parents[3] / ".." / "shared" / "x12-samples"
    )
    if not folder.is_dir():
        return []
    files = sorted(folder.glob(f"{prefix}*.x12"))
    return [p.read_bytes() for p in files if p.stat().st_size < 30_000]


OWN = [
    write_835([sample_remittance(4)], EnvelopeSettings("P", "C", "P", "E", "1"),
              CounterControlNumbers(), datetime(2026, 6, 1)).encode(),
    sample_835().encode(),
]  # fmt: skip
CORPUS = OWN + _samples()
OWN_837 = [
    factory.write_p(
        [factory.claim(), factory.claim(visit_id="V-2", subscriber=factory.SUBSCRIBER)]
    ),
    factory.write_i([factory.claim(payer_id="MEDICARE_HOPD")]),
]
CORPUS_837 = [t.encode() for t in OWN_837] + _samples("837")


def damage(data: bytes, kind: int, where: float, value: int) -> bytes:
    pos = int(where * max(len(data) - 1, 0))
    if kind == 0:
        return data[:pos]
    if kind == 1:
        return data[:pos] + bytes([value]) + data[pos + 1 :]
    swaps = [b"*", b":", b"~", b"^", b"\n", b"|"]
    old, new = swaps[value % len(swaps)], swaps[(value // 7) % len(swaps)]
    return data.replace(old, new)


def read_or_x12error(data: bytes) -> None:
    try:
        read_x12(data, "fuzz.x12")
    except X12Error as exc:
        assert str(exc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=len(CORPUS) - 1),
    kind=st.integers(min_value=0, max_value=2),
    where=st.floats(min_value=0, max_value=1),
    value=st.integers(min_value=0, max_value=255),
)
def test_damaged_files_raise_only_x12error(index: int, kind: int, where: float, value: int) -> None:
    read_or_x12error(damage(CORPUS[index], kind, where, value))


@settings(max_examples=50, deadline=None)
@given(flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=2, max_size=8))
def test_many_flips_in_our_own_835_raise_only_x12error(flips: list[tuple[float, int]]) -> None:
    data = bytearray(OWN[1])
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    read_or_x12error(bytes(data))


def read_837_or_x12error(data: bytes) -> None:
    read_or_x12error(data)
    try:
        read_837(data, source="fuzz.x12")
    except X12Error as exc:
        assert str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=len(CORPUS_837) - 1),
    kind=st.integers(min_value=0, max_value=2),
    where=st.floats(min_value=0, max_value=1),
    value=st.integers(min_value=0, max_value=255),
)
def test_damaged_837_files_raise_only_x12error(
    index: int, kind: int, where: float, value: int
) -> None:
    read_837_or_x12error(damage(CORPUS_837[index], kind, where, value))


@settings(max_examples=100, deadline=None)
@given(flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_many_flips_in_our_own_837s_raise_only_x12error(flips: list[tuple[float, int]]) -> None:
    for text in OWN_837:
        data = bytearray(text.encode())
        for where, value in flips:
            data[int(where * (len(data) - 1))] = value
        read_837_or_x12error(bytes(data))
