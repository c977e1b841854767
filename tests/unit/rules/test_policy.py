"""PayerPolicy: resolved once from ptrcm.toml and the pack in force, followed everywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ptrcm.config import load_config
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.policy import TelehealthPolicy
from ptrcm.domain.units import UnitMethod
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.rules.policy import PolicyBook
from ptrcm.services.claims.building import build_claim
from ptrcm.services.claims.scrubbing import Scrubber
from tests.unit.scrub.factory import base

CATALOG = load_catalog()


def test_cq_co_follow_the_pack_version_in_force_on_the_date_of_service() -> None:
    book = PolicyBook(load_config())
    assert book.policy("MEDICARE", date(2019, 12, 31)).charges.assistant_modifier is False
    assert book.policy("MEDICARE", date(2020, 1, 1)).charges.assistant_modifier is True
    assert book.policy("MEDICARE_ADV", date(2026, 3, 2)).charges.assistant_modifier is True
    assert book.policy("COMMERCIAL", date(2026, 3, 2)).charges.assistant_modifier is False
    assert book.policy("MEDICARE", date(2026, 3, 2)).pack == "medicare@2020.1"


def test_the_unit_method_conflict_setting_decides_a_visit_with_a_secondary_payer(
    tmp_path: Path,
) -> None:
    day = date(2026, 3, 2)
    follow = PolicyBook(load_config())
    assert follow.policy("COMMERCIAL", day, "MEDICARE").charges.unit_method is UnitMethod.AMA
    path = tmp_path / "ptrcm.toml"
    path.write_text('[billing]\nunit_method_conflict = "cms"\n', encoding="utf-8")
    always_cms = PolicyBook(load_config(path))
    assert always_cms.policy("COMMERCIAL", day, "MEDICARE").charges.unit_method is UnitMethod.CMS
    assert always_cms.policy("COMMERCIAL", day).charges.unit_method is UnitMethod.AMA


def test_filing_limit_and_caps_come_from_the_payer_entry_over_the_pack() -> None:
    policy = PolicyBook(load_config()).policy("COMMERCIAL", date(2026, 3, 2))
    assert (policy.timely_filing_days, policy.visit_limit_per_year) == (90, 30)
    medicare = PolicyBook(load_config()).policy("MEDICARE", date(2026, 3, 2))
    assert str(medicare.kx_threshold(2026)) == "2480.00"
    assert policy.kx_threshold(2026) is None


def test_a_payers_telehealth_modifiers_reach_the_claim_and_the_scrubber(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[payers.COMMERCIAL]\ntelehealth_modifiers = ["GT"]\n', encoding="utf-8")
    config = load_config(path)
    visit = parse_visit(base(payer_id="COMMERCIAL", place_of_service="10"))
    claim = build_claim(visit, config, CATALOG)
    scrubber = Scrubber(config, CATALOG, Icd10Codes(), date(2026, 3, 3))
    checked = scrubber.charges_for(visit)
    assert [ln.modifiers for ln in claim.lines] == [("GP", "GT"), ("GP", "GT")]
    assert [ln.modifiers for ln in checked.lines] == [ln.modifiers for ln in claim.lines]


def test_an_837_form_key_of_a_payer_entry_does_not_stop_the_scrubber(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text(
        '[payers.CORF]\nclass = "medicare"\nclaim_type = "837I"\ntype_of_bill = "75"\n',
        encoding="utf-8",
    )
    scrubber = Scrubber(load_config(path), CATALOG, Icd10Codes(), date(2026, 3, 3))
    assert scrubber.policies.policy("CORF", date(2026, 3, 2)).payer_class == "medicare"


def test_a_telehealth_line_gets_one_telehealth_modifier_and_only_if_there_is_room() -> None:
    tele = TelehealthPolicy(frozenset({"02"}), ("GT", "95"))
    assert tele.line_modifiers(("GP",)) == ("GP", "GT")
    assert tele.line_modifiers(("GP", "FQ")) == ("GP", "FQ")  # audio-only already marked
    assert tele.line_modifiers(("GP", "95")) == ("GP", "95")
    assert tele.line_modifiers(("GP", "KX", "59", "76")) == ("GP", "KX", "59", "76")
    assert TelehealthPolicy(modifiers=()).line_modifiers(("GP",)) == ("GP",)
