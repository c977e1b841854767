"""Rule packs: versions by date of service, schema checks that name the key, overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptrcm.config import load_config
from ptrcm.errors import ConfigError
from ptrcm.rules.packs import PACK_NAMES, PackBook, builtin_packs, load_pack_text

from .factory import base, scrubber, visit

GOOD = """
[pack]
name = "tiny"
[[versions]]
version = "1"
effective_from = "2020-01-01"
[versions.params]
unit_method = "cms"
assistant_de_minimis = "0.10"
[[versions]]
version = "2"
effective_from = "2024-01-01"
[versions.params]
unit_method = "ama"
"""


def test_every_shipped_pack_loads_and_has_a_version() -> None:
    packs = builtin_packs()
    assert tuple(packs) == PACK_NAMES
    assert all(series.versions for series in packs.values())


def test_the_version_in_force_follows_the_date_of_service() -> None:
    series = load_pack_text(GOOD, "tiny.toml")
    assert series.for_date(date(2023, 12, 31)).version == "1"
    assert series.for_date(date(2024, 1, 1)).version == "2"
    assert series.for_date(date(2019, 1, 1)).version == "1"


def test_a_version_inherits_what_it_does_not_change() -> None:
    later = load_pack_text(GOOD, "tiny.toml").for_date(date(2025, 1, 1))
    assert later.param("unit_method") == "ama"
    assert str(later.param("assistant_de_minimis")) == "0.10"


def test_medicare_requires_cq_from_2020_only() -> None:
    series = builtin_packs()["medicare"]
    assert series.for_date(date(2019, 12, 31)).param("assistant_modifier_required") is False
    assert series.for_date(date(2020, 1, 1)).param("assistant_modifier_required") is True


def test_the_2018_kx_threshold_is_flagged_unverified() -> None:
    pack = builtin_packs()["medicare"].for_date(date(2018, 6, 1))
    rows = {r["year"]: r for r in pack.param("kx_thresholds")}
    assert rows[2018]["confidence"] == "U" and str(rows[2018]["amount"]) == "2010.00"
    assert str(rows[2026]["amount"]) == "2480.00"
    assert "kx_thresholds" in pack.unverified


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (GOOD.replace('unit_method = "cms"', 'unit_methd = "cms"'),
         "versions[0].params.unit_methd"),
        (GOOD.replace('unit_method = "ama"', 'unit_method = "midpoint"'),
         "versions[1].params.unit_method"),
        (GOOD.replace('"0.10"', "0.1"), "versions[0].params.assistant_de_minimis"),
        (GOOD.replace('effective_from = "2024-01-01"', 'effective_from = "2019-01-01"'),
         "versions[1].effective_from"),
        (GOOD + '[versions.severity]\nM001 = "fatal"\n', "versions[1].severity.M001"),
        (GOOD + "[versions.params.extra]\n", "versions[1].params.extra"),
    ],
)  # fmt: skip
def test_a_pack_that_fails_its_schema_stops_with_the_key_named(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_pack_text(text, "tiny.toml")
    assert info.value.key == key and "tiny.toml" in str(info.value)


def test_a_bad_ncci_row_names_the_row_and_field() -> None:
    text = GOOD + 'ncci_pairs = [{ column1 = "97140", column2 = "97530", indicator = 2 }]\n'
    with pytest.raises(ConfigError) as info:
        load_pack_text(text, "tiny.toml")
    assert info.value.key == "versions[1].params.ncci_pairs[0].indicator"


def test_a_payer_override_in_ptrcm_toml_changes_the_parameter(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[payers.MEDICARE]\nkx_far_below_share = "0.25"\nunit_method = "ama"\n')
    config = load_config(path)
    pack = PackBook(config.payers, config.source).for_visit("MEDICARE", date(2026, 3, 2))
    assert str(pack.param("kx_far_below_share")) == "0.25"
    assert pack.param("unit_method") == "ama"
    assert pack.param("timely_filing_days") == 365


def test_an_unknown_payer_override_stops_the_run_with_the_key_named(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[payers.MEDICARE]\nkx_treshold = "3000.00"\n')
    config = load_config(path)
    with pytest.raises(ConfigError) as info:
        PackBook(config.payers, config.source)
    assert info.value.key == "payers.MEDICARE.kx_treshold"


def test_a_payer_naming_a_missing_pack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[payers.MEDICARE]\npack = "medicare_2099"\n')
    config = load_config(path)
    with pytest.raises(ConfigError, match=r"payers\.MEDICARE\.pack"):
        PackBook(config.payers, config.source)


def test_config_rules_ignore_removes_a_family_like_a_linter(tmp_path: Path) -> None:
    s = scrubber('[rules]\nignore = ["M", "N004"]\n', tmp_path)
    ids = {r.id for r in s.rules}
    assert not any(i.startswith("M") for i in ids) and "N004" not in ids and "N003" in ids


def test_a_pack_version_can_disable_a_rule_and_change_a_severity() -> None:
    from importlib import resources

    from ptrcm.domain.codes import load_catalog
    from ptrcm.rules.engine import Severity
    from ptrcm.services.claims.scrubbing import Scrubber

    from .factory import AS_OF, FakeDiagnoses

    text = resources.files("ptrcm.rules").joinpath("packs/medicare.toml").read_text()
    text += (
        '\n[[versions]]\nversion = "2026.9"\neffective_from = "2026-01-01"\n'
        'disabled = ["U003"]\n[versions.severity]\nU007 = "error"\n'
    )
    packs = {**builtin_packs(), "medicare": load_pack_text(text, "medicare.toml")}
    s = Scrubber(load_config(), load_catalog(), FakeDiagnoses(), AS_OF, packs=packs)
    record = base(total_timed_minutes=45, total_treatment_minutes=42)
    found = {f.rule: f for f in s.scrub([visit(record)]).findings}
    assert "U003" not in found and found["U007"].severity is Severity.ERROR
    old = base(date_of_service="2025-12-30", total_timed_minutes=45, total_treatment_minutes=42)
    found = {f.rule: f for f in s.scrub([visit(old)]).findings}
    assert "U003" in found and found["U007"].severity is Severity.WARNING
