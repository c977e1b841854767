"""The rule catalog: unique ids, every family, and for each rule a source, a docstring,
engine tests that show it firing and not firing, CLI cases, and documentation."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from ptrcm.errors import InvariantError
from ptrcm.rules.catalog import FAMILY_ORDER, all_rules, build_catalog
from ptrcm.rules.engine import Rule, Severity
from ptrcm.rules.packs import builtin_packs
from ptrcm.rules.reference import render_rules_markdown

ROOT = Path(__file__).resolve().parents[3]
TESTS = ROOT / "tests"
DOCS = ROOT / "docs" / "rules.md"
RULE_IDS = [r.id for r in all_rules()]


@cache
def test_names() -> frozenset[str]:
    """Every test function name in the test suite (parsed, not imported)."""
    names: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        }
    return frozenset(names)


test_names.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def missing_tests(rule_id: str, names: frozenset[str]) -> list[str]:
    """What the suite lacks for ``rule_id``: a firing and a non-firing engine test."""
    prefix = f"test_{rule_id.lower()}_"
    fires = any(n.startswith(prefix) and "_fires" in n for n in names)
    quiet = any(n.startswith(prefix) and "_does_not_fire" in n for n in names)
    return [what for what, ok in (("firing test", fires), ("non-firing test", quiet)) if not ok]


def test_rule_ids_are_well_formed_unique_and_in_family_order() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS))
    assert all(re.fullmatch(r"[UMNDEAPC]\d{3}", i) for i in RULE_IDS)
    ranks = [FAMILY_ORDER.index(i[0]) for i in RULE_IDS]
    assert ranks == sorted(ranks)


def test_the_catalog_covers_every_rule_family() -> None:
    assert {i[0] for i in RULE_IDS} == set(FAMILY_ORDER)


def test_building_a_catalog_refuses_a_duplicate_id() -> None:
    rule = all_rules()[0]
    twin = Rule(rule.id, "another", Severity.INFO, "x", rule.check, "x")
    with pytest.raises(InvariantError, match=rule.id):
        build_catalog([[rule], [twin]])


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_source_a_docstring_and_an_example(rule_id: str) -> None:
    rule = next(r for r in all_rules() if r.id == rule_id)
    assert rule.title.strip() and rule.source.strip() and rule.example.strip()
    assert (rule.check.__doc__ or "").strip(), f"{rule_id}: check has no docstring"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_engine_tests_firing_and_not_firing(rule_id: str) -> None:
    assert missing_tests(rule_id, test_names()) == []


def test_the_test_scan_reports_a_rule_without_tests() -> None:
    names = test_names()
    assert missing_tests("U999", names) == ["firing test", "non-firing test"]
    assert missing_tests("U001", frozenset({"test_u001_fires_x"})) == ["non-firing test"]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_firing_and_a_quiet_cli_case(rule_id: str) -> None:
    from tests.e2e.scrub_cases import CASES

    firing, quiet, _config = CASES[rule_id]
    assert firing and quiet


def test_docs_rules_md_is_current() -> None:
    expected = render_rules_markdown(all_rules(), builtin_packs())
    current = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else ""
    assert current == expected, "docs/rules.md is stale: run `ptrcm rules docs --out docs/rules.md`"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_is_documented(rule_id: str) -> None:
    assert f"### {rule_id} " in DOCS.read_text(encoding="utf-8")
