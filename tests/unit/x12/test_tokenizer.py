"""The tokenizer reads delimiters from the ISA and tolerates layout between segments."""

from __future__ import annotations

import pytest

from ptrcm.x12.errors import X12Error
from ptrcm.x12.structure import split_envelope
from ptrcm.x12.tokenizer import DEFAULT_DELIMITERS, tokenize

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260515*1000*^*00501"
    "*000000007*0*P*:~"
)
BODY = (
    "GS*HP*S*R*20260515*1000*7*X*005010X221A1~ST*835*0001~BPR*I*0*C*NON~SE*3*0001~GE*1*7~"
    "IEA*1*000000007~"
)


def with_delimiters(text: str, element: str, component: str, segment: str, rep: str = "^") -> str:
    table = str.maketrans({"*": element, ":": component, "~": segment, "^": rep})
    return text.translate(table)


def test_delimiters_come_from_the_isa_segment() -> None:
    tokens = tokenize(ISA + BODY)
    delims = tokens.delimiters[0][1]
    assert (delims.element, delims.component, delims.repetition, delims.segment) == (
        "*",
        ":",
        "^",
        "~",
    )
    assert [s[0] for s in tokens.segments] == ["ISA", "GS", "ST", "BPR", "SE", "GE", "IEA"]


def test_unusual_delimiters_element_tilde_component_caret_segment_underscore() -> None:
    text = with_delimiters(ISA + BODY, "~", "^", "_", rep="|")
    tokens = tokenize(text)
    assert tokens.delimiters[0][1].element == "~"
    assert tokens.delimiters[0][1].segment == "_"
    assert tokens.segments[3] == ["BPR", "I", "0", "C", "NON"]


def test_a_control_character_can_terminate_segments() -> None:
    text = (ISA + BODY).replace("~", "\x1d\r\n")
    tokens = tokenize(text.encode())
    assert tokens.delimiters[0][1].segment == "\x1d"
    assert tokens.segments[-1] == ["IEA", "1", "000000007"]


def test_bom_crlf_and_indentation_are_ignored() -> None:
    text = "\ufeff" + (ISA + BODY).replace("~", "~\r\n    ")
    tokens = tokenize(text.encode("utf-8"))
    assert [s[0] for s in tokens.segments] == ["ISA", "GS", "ST", "BPR", "SE", "GE", "IEA"]


def test_a_bare_transaction_set_uses_the_default_delimiters() -> None:
    tokens = tokenize("ST*835*0001~BPR*I*0*C*NON~SE*3*0001~")
    assert tokens.delimiters[0][1] == DEFAULT_DELIMITERS
    assert split_envelope(tokens).transactions[0].set_id == "835"


def test_4010_standards_id_is_not_a_repetition_separator() -> None:
    text = (ISA + BODY).replace("*^*00501*", "*U*00401*")
    assert tokenize(text).delimiters[0][1].repetition == ""


def test_two_interchanges_with_different_delimiters_are_both_read() -> None:
    second = with_delimiters(ISA + BODY, "|", ">", "\n")
    tokens = tokenize(ISA + BODY + "\n" + second)
    assert len(tokens.segments) == 14
    assert tokens.segments[10] == ["BPR", "I", "0", "C", "NON"]
    assert len(split_envelope(tokens).transactions) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty"),
        ("HELLO WORLD", "segment 1 HEL"),
        ("ISA*00*short~", "segment 1 ISA"),
    ],
)
def test_unreadable_input_raises_x12error_naming_the_segment(text: str, expected: str) -> None:
    with pytest.raises(X12Error, match=expected):
        split_envelope(tokenize(text, "f.x12"))


def test_a_set_without_se_is_unreadable_and_names_the_st() -> None:
    with pytest.raises(X12Error, match=r"f\.x12: segment 3 ST: transaction set '0001' has no SE"):
        split_envelope(tokenize(ISA + "GS*HP*S*R*20260515*1000*7*X*V~ST*835*0001~BPR*I~", "f.x12"))


def test_envelope_count_and_control_mismatches_are_findings() -> None:
    text = (ISA + BODY).replace("SE*3*0001", "SE*9*0002").replace("GE*1*7", "GE*2*8")
    findings = split_envelope(tokenize(text)).findings
    messages = [str(f) for f in findings]
    assert any("segment 5 SE: SE01 says '9'" in m for m in messages)
    assert any("SE02 '0002' does not match ST02 '0001'" in m for m in messages)
    assert any("GE01 says '2'" in m for m in messages)
    assert any("GE02 '8' does not match GS06 '7'" in m for m in messages)


def test_a_clean_envelope_has_no_findings() -> None:
    assert split_envelope(tokenize(ISA + BODY)).findings == ()
