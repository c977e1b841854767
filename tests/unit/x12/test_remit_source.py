"""An 835 read a block at a time (``RemittanceSource``) gives what ``read_x12`` gives for
the whole file: the same segments, remittances, findings and errors, whatever the block
size, the layout (one segment a line, CR/LF, indentation, blanks, no newlines, a
byte-order mark, Latin-1) or the damage; a claim is flagged unbalanced by the time its
chunk is handed out; and no chunk holds more claims than asked."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptrcm.x12 import blocks
from ptrcm.x12.errors import X12Error
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import ClaimPayment, Remittance, RemittanceDocument
from ptrcm.x12.remit835.stream import SetClaims, SetStart
from ptrcm.x12.remittance_file import RemittanceSource
from ptrcm.x12.tokenizer import split_segments
from tests.unit.x12.test_fuzz import OWN, _samples, damage

SAMPLES = _samples("835")
CORPUS = OWN + SAMPLES


def layouts(data: bytes) -> list[bytes]:
    """The same 835 laid out the ways files arrive."""
    text = data.decode("latin-1")
    flat = text.replace("~\n", "~")
    return [
        data,
        flat.encode("latin-1"),  # no newlines at all
        text.replace("~\n", "~\r\n").encode("latin-1"),  # CR/LF
        text.replace("~\n", "~\n  ").encode("latin-1"),  # indented
        text.replace("~\nREF*", " ~\nREF*").encode("latin-1"),  # blanks ending lines: kept
        flat.replace("~REF*", " ~REF*").encode("latin-1"),  # blanks, no newlines: kept
        text.rstrip("\n").encode("latin-1"),  # no newline after the last terminator
        ("\ufeff\n " + text).encode("utf-8"),  # byte-order mark and leading blanks
        text.replace("ST*835", "ST*835", 1).replace("REF*", "REF*\xe9", 1).encode("latin-1"),
    ]


def whole(data: bytes, name: str) -> RemittanceDocument | str | None:
    """What ``read_x12`` gives (None when damage made it another kind of file)."""
    try:
        document = read_x12(data, name)
    except X12Error as exc:
        return str(exc)
    return document if isinstance(document, RemittanceDocument) else None


def streamed(path: Path, chunk: int) -> tuple[RemittanceDocument | str, RemittanceSource | None]:
    """The events put back together as a document (or the error they ended with), checking
    on the way that each chunk is small and its claims' balance is already known."""
    try:
        source = RemittanceSource.open(path)
    except X12Error as exc:
        return str(exc), None
    remits: list[Remittance] = []
    claims: list[ClaimPayment] = []
    head: Remittance | None = None
    flagged: dict[int, bool] = {}
    try:
        for event in source.events(chunk):
            if isinstance(event, SetStart):
                head, claims = event.head, []
            elif isinstance(event, SetClaims):
                assert head is not None and 0 < len(event.claims) <= chunk
                claims.extend(event.claims)
                for c in event.claims:
                    flagged[c.segment] = _flagged(c, source.bad_segments)
            else:
                assert head is not None and event.remit.claims == ()
                assert replace(event.remit, provider_adjustments=()) == head
                remits.append(replace(event.remit, claims=tuple(claims)))
    except X12Error as exc:
        return str(exc), source
    document = RemittanceDocument(str(path), tuple(remits), source.findings)
    final = {seg: _flagged_by(seg, document) for seg in flagged}
    assert flagged == final, "a claim's balance was not known when its chunk came"
    return document, source


def _flagged(claim: ClaimPayment, bad: set[int]) -> bool:
    return claim.segment in bad or any(line.segment in bad for line in claim.lines)


def _flagged_by(segment: int, document: RemittanceDocument) -> bool:
    bad = {f.segment for f in document.findings if f.segment_id in ("CLP", "SVC") and f.segment}
    claim = next(c for c in document.claims if c.segment == segment)
    return _flagged(claim, bad)


def check(data: bytes, tmp_path: Path, chunk: int = 2, *, must_stream: bool = False) -> None:
    path = tmp_path / "f.835"
    path.write_bytes(data)
    expected = whole(data, str(path))
    if expected is None:
        assert RemittanceSource.open(path).document is not None
        return
    found, source = streamed(path, chunk)
    if isinstance(expected, str):
        assert found == expected
        return
    assert isinstance(found, RemittanceDocument)
    assert found.transactions == expected.transactions
    assert found.findings == expected.findings
    assert source is not None
    traces = {r.trace.number[:50] for r in expected.transactions if r.trace and r.trace.number}
    assert traces <= set(source.traces)
    assert source.found.sha256 == hashlib.sha256(data).hexdigest()
    raw = split_segments(data, str(path))
    if must_stream:
        assert source.document is None, "read whole, not streamed"
    if source.found.streamable and raw is not None:
        assert list(blocks.segment_texts(path, source.found)) == raw.raw


@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_our_835s_in_every_layout_read_the_same_a_block_at_a_time(
    size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocks, "BLOCK", size)
    for data in OWN:
        for variant in layouts(data):
            check(variant, tmp_path, must_stream=True)


def test_the_layouts_are_streamed_not_read_whole(tmp_path: Path) -> None:
    kinds = set()
    for variant in layouts(OWN[0]):
        path = tmp_path / "f.835"
        path.write_bytes(variant)
        source = RemittanceSource.open(path)
        assert source.document is None and source.found.streamable
        kinds.add((source.found.layout, source.found.encoding))
    assert {k[0] for k in kinds} == {"lines", "strip", "plain"}
    assert {k[1] for k in kinds} == {"utf-8", "latin-1"}


@pytest.mark.skipif(not SAMPLES, reason="X12 sample folder ../shared/x12-samples is absent")
def test_every_835_sample_reads_the_same_a_block_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocks, "BLOCK", 97)
    for data in SAMPLES:
        check(data, tmp_path, chunk=1)


def test_the_scan_reads_a_utf8_file_once_and_another_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    real_open = Path.open

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(blocks, "BLOCK", 64)
    monkeypatch.setattr(Path, "open", counting_open)
    text = OWN[0].decode()
    path = tmp_path / "f.835"
    for data, reads, encoding in (
        (text.encode(), 1, "utf-8"),
        (text.replace("REF*", "REF*\xe9", 1).encode("latin-1"), 2, "latin-1"),
        ((text + "\xe9").encode("latin-1"), 2, "latin-1"),  # the odd byte in the last block
    ):
        path.write_bytes(data)
        opened.clear()
        found = blocks.scan(path)
        assert (len(opened), found.encoding) == (reads, encoding)
        assert found.sha256 == hashlib.sha256(data).hexdigest() and found.streamable


def test_a_file_of_two_interchanges_or_a_999_is_read_whole(tmp_path: Path) -> None:
    text = OWN[0].decode()
    path = tmp_path / "f.835"
    path.write_text(text + text)
    assert RemittanceSource.open(path).document is not None
    ack = "ST*999*0002~AK1*HC*1~AK9*A*1*1*1~SE*4*0002~"
    end = text.index("~", text.index("SE*")) + 1
    path.write_text(text[:end] + ack + text[end:])
    with pytest.raises(X12Error, match="mixes transaction sets"):
        RemittanceSource.open(path)


def test_no_chunk_holds_more_claims_than_asked(tmp_path: Path) -> None:
    from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
    from ptrcm.x12.remit835.sample import sample_remittance
    from ptrcm.x12.remit835.write import write_835

    text = write_835([sample_remittance(120), sample_remittance(5, "CHK2")],
                     EnvelopeSettings("P", "C", "P", "E", "1"), CounterControlNumbers(),
                     __import__("datetime").datetime(2026, 6, 1))  # fmt: skip
    path = tmp_path / "big.835"
    path.write_text(text)
    sizes = [len(e.claims) for e in RemittanceSource.open(path).events(16)
             if isinstance(e, SetClaims)]  # fmt: skip
    assert sizes == [16] * 7 + [8, 5]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    index=st.integers(min_value=0, max_value=len(CORPUS) - 1),
    kind=st.integers(min_value=0, max_value=2),
    where=st.floats(min_value=0, max_value=1),
    value=st.integers(min_value=0, max_value=255),
    size=st.sampled_from([5, 64, 4096]),
)
def test_a_damaged_835_reads_the_same_or_fails_the_same_a_block_at_a_time(
    index: int, kind: int, where: float, value: int, size: int, tmp_path: Path
) -> None:
    old = blocks.BLOCK
    blocks.BLOCK = size
    try:
        check(damage(CORPUS[index], kind, where, value), tmp_path)
    finally:
        blocks.BLOCK = old
