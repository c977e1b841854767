"""The ICD-10-CM adapter: spellings, validity, billability, chapters, external causes."""

from __future__ import annotations

import pytest

from ptrcm.rules.icd10 import Icd10Codes, code_facts, is_external_cause, normalize_code, with_dot

CODES = Icd10Codes()


@pytest.mark.parametrize("spelling", ["M54.16", "M5416", "m54.16", " M54.16 "])
def test_a_code_is_found_with_or_without_its_dot_and_in_any_case(spelling: str) -> None:
    assert CODES.exists(spelling) and CODES.is_billable(spelling)


@pytest.mark.parametrize("text", ["M5.416", "M54.", "M54..16", "13", "M50-M54", "", "M54.16X9Z"])
def test_malformed_codes_chapters_and_blocks_are_not_codes(text: str) -> None:
    assert not CODES.exists(text)


def test_a_category_with_subcodes_exists_but_is_not_billable() -> None:
    assert CODES.exists("M54.1") and not CODES.is_billable("M54.1")


def test_a_seven_character_injury_code_is_billable() -> None:
    assert CODES.is_billable("S33.5XXA")


def test_a_code_missing_from_the_code_set_does_not_exist() -> None:
    assert not CODES.exists("M54.99")


def test_the_chapter_of_a_musculoskeletal_code_is_13_and_of_an_injury_19() -> None:
    assert (CODES.chapter("M54.16"), CODES.chapter("S33.5XXA"), CODES.chapter("Q99.99")) == (
        "13",
        "19",
        None,
    )


@pytest.mark.parametrize(
    ("code", "external"),
    [("V00.01XA", True), ("W19.XXXA", True), ("X50.0XXA", True), ("Y93.A1", True),
     ("U07.1", False), ("S33.5XXA", False), ("bad", False)],
)  # fmt: skip
def test_external_cause_codes_are_v00_to_y99(code: str, external: bool) -> None:
    assert is_external_cause(code) is external


def test_codes_are_shown_with_their_dot() -> None:
    assert (with_dot("m5416"), with_dot("M54"), normalize_code("S33.5XXA")) == (
        "M54.16",
        "M54",
        "S335XXA",
    )


def test_lookups_are_cached_per_spelling() -> None:
    code_facts("R26.2")
    before = code_facts.cache_info().hits
    CODES.exists("R26.2")
    CODES.is_billable("R26.2")
    assert code_facts.cache_info().hits == before + 2
