"""Visits and contexts for scrubber tests: a clean base visit, changed one field at a time."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from ptrcm.config import load_config
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Visit
from ptrcm.rules.catalog import all_rules
from ptrcm.rules.engine import Finding, PatientHistory, Rule, ScrubContext, run_rules
from ptrcm.rules.kx import lines_allowed
from ptrcm.services.claims.scrubbing import Scrubber

AS_OF = date(2026, 3, 20)


class FakeDiagnoses:
    """Every well-formed code exists and is billable (the D rules have their own tests)."""

    def exists(self, code: str) -> bool:
        return True

    def is_billable(self, code: str) -> bool:
        return True


def base(**changes: Any) -> dict[str, Any]:
    """A clean Medicare PT visit: 97110 30 min + 97140 10 min (CMS: 2 + 1 units)."""
    record: dict[str, Any] = {
        "visit_id": "V-1",
        "patient_id": "P-1",
        "date_of_service": "2026-03-02",
        "payer_id": "MEDICARE",
        "member_id": "1EG4TE5MK73",
        "place_of_service": "11",
        "discipline": "PT",
        "rendering": {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"},
        "diagnoses": ["M54.16", "M62.81"],
        "services": [
            {"code": "97110", "minutes": 30},
            {"code": "97140", "minutes": 10},
        ],
        "total_timed_minutes": 40,
        "total_treatment_minutes": 45,
    }
    record.update(copy.deepcopy(changes))
    return record


def service(record: dict[str, Any], code: str) -> dict[str, Any]:
    for s in record["services"]:
        if s["code"] == code:
            return s  # type: ignore[no-any-return]
    raise KeyError(code)


def visit(record: Mapping[str, Any]) -> Visit:
    return parse_visit(dict(record), "<test>", 1)


def rule(rule_id: str) -> Rule:
    return next(r for r in all_rules() if r.id == rule_id)


def scrubber(config_text: str | None = None, tmp_path: Any = None) -> Scrubber:
    path = None
    if config_text is not None:
        path = tmp_path / "ptrcm.toml"
        path.write_text(config_text, encoding="utf-8")
    config = load_config(path)
    return Scrubber(config, load_catalog(), FakeDiagnoses(), AS_OF)


def context(
    record: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]] = (),
    params: Mapping[str, Any] | None = None,
) -> ScrubContext:
    """The context the scrub service builds, for the pure engine (built-in config).

    ``params`` override pack parameters, as a payer entry in ptrcm.toml would.
    """
    s = scrubber()
    v = visit(record)
    payer = s.config.payers[v.payer_id]
    pack = s.packs.for_visit(v.payer_id, v.date_of_service)
    if params:
        pack = replace(pack, params={**pack.params, **params}, _derived={})
    prior = [visit(r) for r in history]
    allowed = {}
    for p in prior:
        p_pack = s.packs.for_visit(p.payer_id, p.date_of_service)
        charges = s.charges_for(p, s.config.payers[p.payer_id], p_pack)
        allowed[p.visit_id] = lines_allowed(charges.lines, s.fees.for_payer(payer))
    return ScrubContext(
        visit=v,
        charges=s.charges_for(v, payer, pack),
        pack=pack,
        payer=payer,
        clinic=s.config.clinic,
        as_of=AS_OF,
        catalog=s.catalog,
        history=PatientHistory(prior, allowed=allowed),
        diagnoses=FakeDiagnoses(),
    )


def findings(
    rule_id: str,
    record: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]] = (),
    params: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """What one rule finds on one visit, through the pure engine."""
    return run_rules(context(record, history, params), [rule(rule_id)])
