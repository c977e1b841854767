"""Defect injection with ground-truth labels naming the scrubber rule that should fire.

Each defective visit gets one defect, chosen by weight among the kinds that apply to it
(a KX defect only where the Medicare year-to-date amount is already past the threshold, an
authorization defect only where the payer requires one, ...). The rest of the visit stays
consistent so that, ideally, only the target rule fires; ``also`` lists rules that may
fire as an unavoidable consequence (a code without minutes also has units the method
cannot explain). Defects never touch other visits: a duplicate is an extra record.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ptrcm.domain.visits import ASSISTANT_MODIFIER
from ptrcm.synth import injectors as inj
from ptrcm.synth.visits import Facts

if TYPE_CHECKING:
    from ptrcm.synth.story import World

Record = dict[str, Any]
MEDICARE = ("MEDICARE",)


@dataclass(frozen=True, slots=True)
class Defect:
    """One injected defect: its kind, the rule that should catch it, code and detail."""

    kind: str
    rule: str
    code: str | None
    detail: str
    also: tuple[str, ...] = ()

    def to_json(self) -> Record:
        out: Record = {"kind": self.kind, "rule": self.rule, "code": self.code}
        out["detail"] = self.detail
        if self.also:
            out["also"] = list(self.also)
        return out


@dataclass(frozen=True, slots=True)
class Kind:
    kind: str
    rule: str
    weight: int
    applies: Callable[[Record, Facts], bool]
    inject: Callable[[random.Random, Record, Facts, World], inj.Outcome]


def _has(key: str) -> Callable[[Record, Facts], bool]:
    return lambda r, f: key in r and inj.is_claim(r)


def _payer_in(*payers: str) -> Callable[[Record, Facts], bool]:
    return lambda r, f: r["payer_id"] in payers


def _any_claim(r: Record, f: Facts) -> bool:
    return inj.is_claim(r)


def _plain_timed(r: Record, f: Facts) -> bool:
    return inj.is_claim(r) and bool(inj.timed_lines(r))


def _any_timed(r: Record, f: Facts) -> bool:
    return inj.is_claim(r) and bool(inj.timed_lines(r, plain=False))


def _u002_possible(r: Record, f: Facts) -> bool:
    return inj.is_claim(r) and bool(inj.u002_lines(r, f))


def _multi_unit_ok(r: Record, f: Facts) -> bool:
    return (
        inj.is_claim(r)
        and not inj.below_threshold(f)
        and any(ln["code"] in inj.MULTI_UNIT_OK for ln in r["services"])
    )


def _unassisted_line(r: Record, f: Facts) -> bool:
    return inj.is_claim(r) and any(not {"CQ", "CO"} & set(ln["modifiers"]) for ln in r["services"])


def _assisted(r: Record, f: Facts) -> bool:
    assist = ASSISTANT_MODIFIER.get(r["discipline"])
    medicare = r["payer_id"] in MEDICARE
    return (
        medicare and assist is not None and any(assist in ln["modifiers"] for ln in r["services"])
    )


def _could_be_assisted(r: Record, f: Facts) -> bool:
    pt_ot = r["discipline"] in ("PT", "OT")
    return r["payer_id"] in MEDICARE and pt_ot and bool(inj.timed_lines(r))


def _over_threshold(r: Record, f: Facts) -> bool:
    return f.ytd_before is not None and f.threshold is not None and f.ytd_before > f.threshold


def _in_clinic_pt_ot(r: Record) -> bool:
    in_clinic = r.get("place_of_service") == "11"
    return inj.is_claim(r) and in_clinic and r["discipline"] in ("PT", "OT")


def _ncci_possible(r: Record, f: Facts) -> bool:
    return _in_clinic_pt_ot(r) and not inj.below_threshold(f) and inj.ncci_pair(r, f) is not None


def _mue_possible(r: Record, f: Facts) -> bool:
    codes = [ln["code"] for ln in r["services"]]
    clear = "97035" not in f.other_codes and not inj.below_threshold(f)
    return _in_clinic_pt_ot(r) and clear and "97035" not in codes


def _medicare_estim(r: Record, f: Facts) -> bool:
    pt_ot = r["discipline"] in ("PT", "OT")
    return r["payer_id"] in MEDICARE and pt_ot and "97014" not in f.other_codes


def _second_eval(r: Record, f: Facts) -> bool:
    raises = inj.below_threshold(f)
    return inj.is_claim(r) and not raises and inj.second_eval_code(r) is not None


def _room_for_cause(r: Record, f: Facts) -> bool:
    return inj.is_claim(r) and len(r["diagnoses"]) < 12


def _initial_medicare_plan(r: Record, f: Facts) -> bool:
    return r["payer_id"] in MEDICARE and f.initial_plan and "plan_of_care" in r


def _long_medicare_episode(r: Record, f: Facts) -> bool:
    return r["payer_id"] in MEDICARE and r["episode_visit_number"] >= 13


def _plan_payer(r: Record, f: Facts) -> bool:
    return r["payer_id"] in ("MEDICARE", "MEDICARE_ADV", "MEDICAID") and "plan_of_care" in r


KINDS: tuple[Kind, ...] = (
    Kind("timed_code_without_minutes", "U001", 4, _plain_timed, inj.u001),
    Kind("units_differ_from_method", "U002", 8, _u002_possible, inj.u002),
    Kind("total_timed_minutes_mismatch", "U003", 5, _any_timed, inj.u003),
    Kind("untimed_code_multiple_units", "U004", 3, _multi_unit_ok, inj.u004),
    Kind("lone_timed_service_under_8", "U005", 3, _plain_timed, inj.u005),
    Kind("discipline_modifier_missing", "M001", 6, _payer_in("MEDICARE", "MEDICARE_ADV"), inj.m001),
    Kind("discipline_modifier_mismatch", "M002", 3, _unassisted_line, inj.m002),
    Kind("assistant_modifier_missing", "M003", 5, _assisted, inj.m003),
    Kind("assistant_modifier_without_minutes", "M004", 2, _could_be_assisted, inj.m004),
    Kind("kx_modifier_missing", "M005", 6, _over_threshold, inj.m005),
    Kind("ncci_pair_without_modifier", "N001", 6, _ncci_possible, inj.n001),
    Kind("units_over_mue", "N003", 3, _mue_possible, inj.n003),
    Kind("code_not_payable_by_payer", "N004", 3, _medicare_estim, inj.n004),
    Kind("two_evaluations_one_date", "N005", 2, _second_eval, inj.n005),
    Kind("diagnosis_does_not_exist", "D001", 3, _any_claim, inj.d001),
    Kind("diagnosis_not_billable", "D002", 6, _any_claim, inj.d002),
    Kind("diagnosis_missing_or_bad_pointer", "D003", 3, _any_claim, inj.d003),
    Kind("external_cause_first", "D004", 2, _room_for_cause, inj.d004),
    Kind("coverage_not_active", "E002", 5, _has("coverage"), inj.e002),
    Kind("authorization_missing", "A001", 5, _has("authorization"), inj.a001),
    Kind("authorization_visits_exceeded", "A002", 4, _has("authorization"), inj.a002),
    Kind("outside_authorization_window", "A003", 3, _has("authorization"), inj.a003),
    Kind("annual_visit_limit_exceeded", "A005", 4, _has("benefits"), inj.a005),
    Kind("no_plan_of_care_for_date", "P001", 4, _plan_payer, inj.p001),
    Kind("initial_certification_late", "P002", 3, _initial_medicare_plan, inj.p002),
    Kind("progress_report_overdue", "P004", 5, _long_medicare_episode, inj.p004),
    Kind("duplicate_service", "C003", 4, _any_claim, inj.duplicate),
    Kind("npi_check_digit", "C004", 3, _any_claim, inj.c004),
    Kind("required_claim_data_missing", "C005", 4, _any_claim, inj.c005),
)
KIND_BY_NAME = {k.kind: k for k in KINDS}


def inject_defect(
    rng: random.Random, rec: Record, facts: Facts, world: World, only: str | None = None
) -> list[tuple[Record, list[Defect]]]:
    """Records with their labels: one defective copy of ``rec``, or for a duplicate the
    untouched ``rec`` followed by its labelled extra copy. ``only`` forces one kind."""
    pool = [k for k in KINDS if (only is None or k.kind == only) and k.applies(rec, facts)]
    if not pool:
        return [(rec, [])]
    x = rng.random() * sum(k.weight for k in pool)
    kind = pool[-1]
    for k in pool:
        x -= k.weight
        if x < 0:
            kind = k
            break
    bad = inj.copy_record(rec)
    if kind.rule == "C003":
        detail = f"same patient, date and codes as {rec['visit_id']}"
        codes = {ln["code"] for ln in rec["services"]}
        also: tuple[str, ...] = (
            ("N005",) if codes & inj.ALL_EVALS and rec["discipline"] != "SLP" else ()
        )
        return [(rec, []), (bad, [Defect(kind.kind, kind.rule, None, detail, also)])]
    code, detail, also = kind.inject(rng, bad, facts, world)
    return [(bad, [Defect(kind.kind, kind.rule, code, detail, also)])]
