from __future__ import annotations

from pathlib import Path

import pytest

from ptrcm.config import load_config
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod
from ptrcm.errors import ConfigError


def test_the_built_in_default_defines_the_five_payers_every_command_needs() -> None:
    config = load_config()
    assert {"MEDICARE", "MEDICARE_ADV", "MEDICAID", "COMMERCIAL", "WORKERS_COMP"} <= set(
        config.payers
    )
    assert config.payers["MEDICARE"].unit_method is UnitMethod.CMS
    assert config.payers["COMMERCIAL"].unit_method is UnitMethod.AMA
    assert config.clinic.npi == "1234567893"


def test_a_file_overrides_the_default_payer_and_keeps_pack_parameters(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text(
        """
[clinic]
name = "Lakeside PT"
timezone = "America/New_York"
[payers.COMMERCIAL]
unit_method = "cms"
timely_filing_days = 120
visit_limit_per_year = 24
kx_far_below_share = "0.4"
[payers.ACME]
name = "Acme Health"
class = "commercial"
claim_type = "837I"
[charges]
97110 = "61.25"
[rules]
ignore = ["e001", "C002"]
""",
        encoding="utf-8",
    )
    config = load_config(path)
    commercial = config.payers["COMMERCIAL"]
    assert commercial.unit_method is UnitMethod.CMS
    assert commercial.timely_filing_days == 120
    assert commercial.visit_limit_per_year == 24
    assert commercial.overrides == {"kx_far_below_share": "0.4"}
    assert config.payers["ACME"].claim_type == "837I"
    assert config.charge_for("97110") == Money.of("61.25")
    assert config.charge_for("97112") == Money.of("58.00")
    assert config.ignore == ("E001", "C002")
    assert config.clinic.name == "Lakeside PT"
    assert config.clinic.npi == "1234567893"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[payers.MEDICARE]\nunit_method = "minutes"', "payers.MEDICARE.unit_method"),
        ('[payers.X]\nclass = "hmo"', "payers.X.class"),
        ('[payers.MEDICAID]\nclaim_type = "837D"', "payers.MEDICAID.claim_type"),
        ("[payers.MEDICAID]\ntimely_filing_days = -3", "payers.MEDICAID.timely_filing_days"),
        ('[payers.MEDICAID]\nauth_required = "yes"', "payers.MEDICAID.auth_required"),
        ('[clinic]\nnpi = "123"', "clinic.npi"),
        ('[clinic]\ntin = "12-34"', "clinic.tin"),
        ("[charges]\n97110 = 55.5", "charges.97110"),
        ('[rules]\nselect = "U"', "rules.select"),
        ('[billing]\nunit_method_conflict = "secondary"', "billing.unit_method_conflict"),
        ("[pricing]\nx = 1", "pricing"),
        ("[database]\nuri = 'sqlite:///x.db'", "database.uri"),
        ("[database]\nmigrate_url = 5", "database.migrate_url"),
        ('[operator]\nuser = " "', "operator.user"),
        ('[operator]\nname = "ana"', "operator.name"),
        ('[clinic]\nnmae = "Lakeside PT"', "clinic.nmae"),
        ('[clinic]\ntimezone = "America/Chikago"', "clinic.timezone"),
        ('[clinic.address]\nzipcode = "53703"', "clinic.address.zipcode"),
        ('[billing]\nunit_method_conflit = "cms"', "billing.unit_method_conflit"),
        ('[rules]\nselct = ["U"]', "rules.selct"),
        ('[x12]\nsender = "ABC"', "x12.sender"),
        ("[x12]\nusage = 1", "x12.usage"),
        ('[charges]\n9711 = "55.00"', "charges.9711"),
    ],
)
def test_a_bad_config_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert f"key {key}:" in str(caught.value)


def test_a_config_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text("[clinic\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_every_key_the_built_in_default_sets_is_known() -> None:
    config = load_config()
    assert config.clinic.timezone == "America/Chicago"
    assert config.x12 == {}


def test_the_x12_envelope_keys_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[x12]\nsender_id = " 123456789 "\nusage = "T"\n', encoding="utf-8")
    assert load_config(path).x12 == {"sender_id": "123456789", "usage": "T"}


def test_a_five_digit_clinic_zip_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    # 837P/837I 2010AA N403: the billing provider's ZIP must be the nine-digit ZIP+4.
    path = tmp_path / "ptrcm.toml"
    address = 'address = { line1 = "1 Elm St", city = "Springfield", state = "IL", zip = "%s" }'
    path.write_text("[clinic]\n" + address % "62701", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "clinic.address.zip" and "nine-digit" in str(caught.value)
    path.write_text("[clinic]\n" + address % "62701-0001", encoding="utf-8")
    assert load_config(path).clinic.address.zip == "627010001"
