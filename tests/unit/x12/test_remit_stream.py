"""The one-pass 835 reader gives exactly what the two-pass path (tokenize, split_envelope,
RemittanceReader per set) gives: the same remittances, findings and errors, on our own
835s, the 835 samples and damaged copies of them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptrcm.x12.errors import X12Error
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import RemittanceDocument
from ptrcm.x12.remit835.parse import RemittanceReader
from ptrcm.x12.remit835.stream import NotOnly835, first_set_id, read_835_stream
from ptrcm.x12.structure import split_envelope
from ptrcm.x12.tokenizer import split_segments, tokenize
from tests.unit.x12.test_fuzz import OWN, _samples, damage

SAMPLES = _samples("835")
CORPUS = OWN + SAMPLES


def two_pass(data: bytes) -> RemittanceDocument | str:
    try:
        tokens = tokenize(data, "f.835")
        envelope = split_envelope(tokens)
        reader = RemittanceReader()
        remits = tuple(reader.read(tokens.segments, span) for span in envelope.transactions)
    except X12Error as exc:
        return str(exc)
    return RemittanceDocument("f.835", remits, envelope.findings + tuple(reader.findings))


def one_pass(data: bytes) -> RemittanceDocument | str | None:
    try:
        raw = split_segments(data, "f.835")
        if raw is None:
            return None
        return read_835_stream(raw)
    except X12Error as exc:
        return str(exc)
    except NotOnly835:
        return None


def same(data: bytes) -> None:
    streamed = one_pass(data)
    if streamed is None:
        return
    assert streamed == two_pass(data)


def _check_one_pass(corpus: list[bytes]) -> None:
    for data in corpus:
        raw = split_segments(data)
        assert raw is not None and first_set_id(raw) == "835"
        streamed = one_pass(data)
        assert isinstance(streamed, RemittanceDocument)
        assert streamed == two_pass(data)
        assert streamed.findings == two_pass(data).findings  # type: ignore[union-attr]


def test_our_own_835s_read_the_same_in_one_pass() -> None:
    assert all(split_segments(d) is not None for d in OWN)
    _check_one_pass(OWN)


@pytest.mark.skipif(not SAMPLES, reason="X12 sample folder ../shared/x12-samples is absent")
def test_every_835_sample_reads_the_same_in_one_pass() -> None:
    one_interchange = [d for d in SAMPLES if split_segments(d) is not None]
    assert len(one_interchange) >= 8  # the rest hold several interchanges: two-pass path
    _check_one_pass(one_interchange)


def test_read_x12_takes_the_one_pass_path_for_an_835() -> None:
    doc = read_x12(OWN[1], "f.835")
    assert doc == one_pass(OWN[1])


def test_an_835_file_with_a_999_after_it_is_still_refused_as_a_mix() -> None:
    text = OWN[1].decode()
    st_at = text.index("ST*835")
    se_end = text.index("~", text.index("SE*")) + 1
    ack = "ST*999*0002~AK1*HC*1~AK9*A*1*1*1~SE*4*0002~"
    mixed = text[:se_end] + "\n" + ack + text[se_end:]
    assert text[st_at:].startswith("ST*835")
    try:
        read_x12(mixed.encode(), "mixed.x12")
    except X12Error as exc:
        assert "mixes transaction sets" in str(exc)
    else:
        raise AssertionError("a file mixing 835 and 999 was read")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=len(CORPUS) - 1),
    kind=st.integers(min_value=0, max_value=2),
    where=st.floats(min_value=0, max_value=1),
    value=st.integers(min_value=0, max_value=255),
)
def test_a_damaged_835_reads_the_same_or_fails_the_same_in_one_pass(
    index: int, kind: int, where: float, value: int
) -> None:
    same(damage(CORPUS[index], kind, where, value))
