"""Visits become claims: ids, visit objects carried over, telehealth modifier, checks."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.domain.interchange import parse_visit
from ptrcm.errors import InputError
from ptrcm.services.claims.building import build_claims
from tests.unit.x12_write import factory as f


def test_a_short_safe_visit_id_is_the_claim_id_itself() -> None:
    assert claim_id_for("V-1001") == "V-1001"


@pytest.mark.parametrize(
    "visit_id", ["visit/2026/03/02/abc", "V*1~2:3", "a" * 40, "émile-1", "***"]
)
def test_any_visit_id_gives_a_short_x12_safe_claim_id(visit_id: str) -> None:
    cid = claim_id_for(visit_id)
    assert re.fullmatch(r"[A-Z0-9-]{1,17}", cid)
    assert claim_id_for(visit_id) == cid


def test_visit_ids_differing_only_in_unsafe_characters_keep_distinct_claim_ids() -> None:
    assert claim_id_for("V*1") != claim_id_for("V~1")


def test_the_claim_carries_the_visits_authorization_referring_onset_and_plan() -> None:
    claim = f.claim()
    assert claim.claim_id == "V-1001"
    assert claim.prior_authorization == "A123"
    assert claim.referring is not None and claim.referring.npi == "1003000126"
    assert claim.onset_date == date(2026, 1, 15)
    assert claim.initial_treatment_date == date(2026, 2, 10)
    assert claim.plan_established_date == date(2026, 2, 20)
    assert claim.episode_visits == 7
    assert claim.visit_ids == ("V-1001",)


def test_a_telehealth_visit_adds_modifier_95_to_every_line() -> None:
    claim = f.claim(place_of_service="10")
    assert all(line.modifiers[-1] == "95" for line in claim.lines)
    assert claim.place_of_service == "10"


def test_an_office_visit_gets_no_telehealth_modifier() -> None:
    assert all("95" not in line.modifiers for line in f.claim().lines)


def test_a_line_that_already_says_gt_gets_no_second_telehealth_modifier() -> None:
    services = [{"code": "97110", "minutes": 30, "units": 2, "modifiers": ["GP", "GT"]}]
    claim = f.claim(place_of_service="02", services=services)
    assert claim.lines[0].modifiers == ("GP", "GT")


def test_visits_missing_what_an_837_needs_are_all_named() -> None:
    bad = parse_visit(f.visit_record(patient=None, member_id=None))
    with pytest.raises(InputError) as caught:
        build_claims([bad], f.CONFIG, f.CATALOG, "visits.jsonl")
    fields = {p.field for p in caught.value.problems}
    assert fields == {"patient", "member_id"}
