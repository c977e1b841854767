"""Injected defects are really there, labelled with the rule that should catch them."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.synth import SynthOptions
from ptrcm.synth.defects import KINDS, Kind, inject_defect
from ptrcm.synth.generator import build_world
from ptrcm.synth.story import Documented, simulate_patient
from tests.unit.synth.checks import has_defect
from tests.unit.synth.conftest import Run

OPTIONS = SynthOptions(patients=500, months=12, seed=21, defect_rate=0.0)
RULES = [k.rule for k in KINDS]


@pytest.fixture(scope="module")
def documented() -> list[Documented]:
    world = build_world(OPTIONS)
    docs = []
    for number in range(1, OPTIONS.patients + 1):
        for k, doc in enumerate(simulate_patient(world, number).visits, start=1):
            doc.record["visit_id"] = f"V-{number}-{k}"
            docs.append(doc)
    return docs


def test_every_rule_id_is_distinct_and_from_the_scrubbers_list() -> None:
    assert len(set(RULES)) == len(RULES) == 29
    assert all(r[0] in "UMNDEAPC" and r[1:].isdigit() for r in RULES)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k.rule}-{k.kind}")
def test_a_forced_defect_is_present_and_the_record_still_parses(
    kind: Kind, documented: list[Documented]
) -> None:
    name = kind.kind
    rng = random.Random(name)
    world = build_world(OPTIONS)
    injected = 0
    for doc in documented:
        if not kind.applies(doc.record, doc.facts):
            continue
        before = repr(doc.record)
        rows = inject_defect(rng, doc.record, doc.facts, world, only=name)
        assert repr(doc.record) == before, "the clean record must not change"
        for extra, _ in rows[1:]:
            extra["visit_id"] += "-2"  # the generator numbers extra records
        labelled = [(rec, d) for rec, defects in rows for d in defects]
        assert len(labelled) == 1
        rec, defect = labelled[0]
        assert defect.rule == kind.rule
        by_id = {r["visit_id"]: r for r, _ in rows}
        assert has_defect(rec, defect.rule, defect.code, by_id), (defect, rec)
        parse_visit(rec)
        injected += 1
        if injected == 25:
            break
    assert injected > 0, f"{name} never applied"


def test_the_clean_visits_show_none_of_the_defects(documented: list[Documented]) -> None:
    by_id = {d.record["visit_id"]: d.record for d in documented}
    for doc in documented[:3000]:
        for rule in RULES:
            if rule in ("A001", "C003"):
                continue  # need the payer / other visits; covered by test_clean
            try:
                found = has_defect(doc.record, rule, None, by_id)
            except KeyError:
                found = False  # the object the rule looks at is absent on this visit
            assert not found, (rule, doc.record["visit_id"])


def test_written_labels_match_the_written_visits(defect_run: Run) -> None:
    by_id = {v["visit_id"]: v for v in defect_run.visits}
    rules: Counter[str] = Counter()
    for truth in defect_run.truth:
        for d in truth["defects"]:
            assert has_defect(by_id[truth["visit_id"]], d["rule"], d["code"], by_id), truth
            rules[d["rule"]] += 1
    assert len(rules) >= 24


def test_a_duplicate_is_an_extra_record_and_the_original_stays_clean(defect_run: Run) -> None:
    truth = {t["visit_id"]: t["defects"] for t in defect_run.truth}
    dups = [v for v in defect_run.visits if any(d["rule"] == "C003" for d in truth[v["visit_id"]])]
    assert dups
    for dup in dups:
        originals = [
            v for v in defect_run.visits
            if v["visit_id"] != dup["visit_id"] and v["patient_id"] == dup["patient_id"]
            and v["date_of_service"] == dup["date_of_service"] and v["services"] == dup["services"]
        ]  # fmt: skip
        assert len(originals) == 1
        assert truth[originals[0]["visit_id"]] == []


def test_kx_defects_only_where_the_year_to_date_amount_is_over_the_threshold(
    documented: list[Documented],
) -> None:
    kx = next(k for k in KINDS if k.rule == "M005")
    eligible = [d for d in documented if kx.applies(d.record, d.facts)]
    assert eligible
    assert all(d.record["payer_id"] == "MEDICARE" for d in eligible)
    assert all(d.facts.ytd_before is not None and d.facts.threshold is not None
               and d.facts.ytd_before > d.facts.threshold for d in eligible)  # fmt: skip
