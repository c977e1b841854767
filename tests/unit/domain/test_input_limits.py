"""The limits module: JSON decoded within bounds, excerpts short and escaped, keys bounded,
and docs/input-limits.md stating the values the code enforces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptrcm.domain import input_limits as lim
from ptrcm.domain.input_limits import JsonLimitError, bounded_key, decode_json, excerpt

DOC = Path(__file__).parents[3] / "docs" / "input-limits.md"


@pytest.mark.parametrize(
    ("text", "field", "word"),
    [
        ("[" * 100_000 + "]" * 100_000, None, "bytes"),
        ("[" * 30_000 + "]" * 30_000, None, "deeper"),
        ('{"a": ' + "[" * 17 + "]" * 17 + "}", "a" + "[0]" * 15, "deeper"),
        ('{"n": ' + "9" * 5000 + "}", "n", "digits"),
        ('{"n": [1, ' + "9" * 19 + "]}", "n[1]", "digits"),
        ('{"f": 1e400}', "f", "too large"),
        ('{"f": NaN}', None, "NaN"),
        ('{"s": "a\\u0000b"}', "s", "control"),
        ('{"s": "\\udc80"}', "s", "surrogate"),
        ('{"a\\u0001": 1}', None, "key"),
    ],
)
def test_json_outside_the_limits_is_a_named_error(text: str, field: str | None, word: str) -> None:
    with pytest.raises(JsonLimitError) as caught:
        decode_json(text)
    assert caught.value.field == field
    assert word in str(caught.value)


def test_json_within_the_limits_decodes_as_usual() -> None:
    text = json.dumps({"n": 10**17, "s": "tab\tand\nline", "deep": [[[[1]]]], "f": 1.5})
    assert decode_json(text) == json.loads(text)


def test_an_excerpt_is_one_escaped_line_of_at_most_forty_characters() -> None:
    assert excerpt("P\nT") == "'P\\nT'"
    assert len(excerpt("x" * 10_000)) == lim.EXCERPT_MAX
    assert excerpt(10**5000) == "a number too large"
    assert excerpt({"a": 1}) == "an object"


def test_a_long_key_is_shortened_and_stays_distinct() -> None:
    a, b = bounded_key("PT:" + "A" * 80), bounded_key("PT:" + "A" * 79 + "B")
    assert len(a) == len(b) == lim.ID_MAX and a != b
    assert bounded_key("PT:Ana Ruiz") == "PT:Ana Ruiz"


@pytest.mark.parametrize(
    "value",
    [
        f"{lim.RECORD_BYTES_MAX:,}",
        f"| nesting depth | {lim.JSON_DEPTH_MAX} |",
        f"| integer digits | {lim.INTEGER_DIGITS_MAX} |",
        f"{lim.STRING_MAX:,} characters",
        f"| {lim.LAST_NAME_MAX} | NM103",
        f"| {lim.FIRST_NAME_MAX} | NM104",
        f"| {lim.MEMBER_ID_MAX} | NM109",
        f"| {lim.REFERENCE_MAX} | REF02",
        f"| {lim.ADDRESS_LINE_MAX} | N301",
        f"| {lim.CITY_MAX} | N401",
        f"0–{lim.MINUTES_PER_DAY:,}",
        f"1–{lim.UNITS_MAX}",
        f"1–{lim.SERVICES_MAX} entries",
        f"0–{lim.VISIT_COUNT_MAX}",
        f"{lim.MONEY_MAX}",
        f"{lim.EARLIEST_DATE.isoformat()} to {lim.LATEST_DATE.isoformat()}",
        f"at most {lim.EXCERPT_MAX} characters",
    ],
)
def test_the_documented_limits_are_the_enforced_ones(value: str) -> None:
    assert value in DOC.read_text(encoding="utf-8")
