"""The defect injectors: each changes a copy of a clean visit and says what it did.

An injector returns the CPT/HCPCS code the finding should name (or None), a short detail
without patient data, and the rules that may also fire as a consequence.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER
from ptrcm.synth.visits import Doc, Facts, allowed_amount, bill_services

if TYPE_CHECKING:
    from ptrcm.synth.story import World

Record = dict[str, Any]
Outcome = tuple[str | None, str, tuple[str, ...]]  # code, detail, also-firing rules
NO_CLAIM = ("SELF_PAY",)
FAMILY = ("97129", "97130")
MUE = {"97035": 2, "97032": 4}
MULTI_UNIT_OK = ("97010", "97014", "G0283", "97016", "97026", "97028", "97150")
EVALS = {
    "PT": ("97161", "97162", "97163"),
    "OT": ("97165", "97166", "97167"),
    "SLP": ("92521", "92522", "92523", "92524", "92610"),
}
ALL_EVALS = frozenset(c for group in EVALS.values() for c in group) | {"97164", "97168"}


def copy_record(rec: Record) -> Record:
    """A copy deep enough for any defect: the parts defects change are copied."""
    out = dict(rec)
    out["services"] = [
        {**ln, "modifiers": list(ln["modifiers"]), "dx_pointers": list(ln["dx_pointers"])}
        for ln in rec["services"]
    ]
    out["diagnoses"] = list(rec["diagnoses"])
    for key in ("rendering", "plan_of_care", "authorization", "benefits", "coverage"):
        if key in rec:
            out[key] = dict(rec[key])
    return out


def timed_lines(rec: Record, plain: bool = True) -> list[Record]:
    """Timed lines outside the 97129/97130 family; ``plain``: without assistant minutes."""
    return [
        ln
        for ln in rec["services"]
        if "minutes" in ln
        and ln["code"] not in FAMILY
        and not (plain and ln.get("assistant_minutes"))
    ]


def is_claim(rec: Record) -> bool:
    return rec["payer_id"] not in NO_CLAIM


def _day(rec: Record) -> date:
    return date.fromisoformat(rec["date_of_service"])


def _rebill(rec: Record, facts: Facts, world: World, add: Doc) -> None:
    """Re-bill the visit with one more documented service, as the EMR would."""
    docs: list[Doc] = [
        (ln["code"], ln.get("minutes"), ln.get("assistant_minutes", 0)) for ln in rec["services"]
    ]
    docs.append(add)
    pointers = rec["services"][0]["dx_pointers"]
    lines, timed = bill_services(
        docs, rec["discipline"], facts.method, False, world.catalog, pointers
    )
    kx = False
    if facts.ytd_before is not None and facts.threshold is not None:
        kx = facts.ytd_before + allowed_amount(lines, world.fees) > facts.threshold
    if kx:
        lines, timed = bill_services(
            docs, rec["discipline"], facts.method, True, world.catalog, pointers
        )
    untimed = 10 if add[1] is None else 0
    rec["total_treatment_minutes"] += untimed + timed - rec["total_timed_minutes"]
    rec["services"], rec["total_timed_minutes"] = lines, timed


# --- U: units and time -------------------------------------------------------------
def u001(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    line = rng.choice(timed_lines(rec))
    minutes = line.pop("minutes")
    rec["total_timed_minutes"] -= minutes
    return line["code"], f"minutes removed (were {minutes}); billed units kept", ("U002",)


def below_threshold(facts: Facts) -> bool:
    """A Medicare visit whose year-to-date amount has not yet passed the KX threshold.

    Defects that raise the allowed amount are kept off such visits: a scrubber counting the
    billed amounts would see a later clean visit cross the threshold early.
    """
    ytd, threshold = facts.ytd_before, facts.threshold
    return ytd is not None and threshold is not None and not ytd > threshold


def u002_lines(rec: Record, facts: Facts) -> list[Record]:
    lines = timed_lines(rec, plain=False)
    return [ln for ln in lines if ln["units"] > 1] if below_threshold(facts) else lines


def u002(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    line = rng.choice(u002_lines(rec, facts))
    before = line["units"]
    up = not below_threshold(facts) and (before == 1 or rng.random() < 0.5)
    if up and before + 1 > MUE.get(line["code"], 99):
        up = False
    line["units"] = before + 1 if up else before - 1
    return line["code"], f"billed {line['units']} units where the method gives {before}", ()


def u003(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    total = rec["total_timed_minutes"]
    delta = rng.choice((-1, 1)) * rng.randint(5, 15)
    if total + delta < 0:
        delta = -delta
    rec["total_timed_minutes"] = total + delta
    rec["total_treatment_minutes"] = max(rec["total_treatment_minutes"], total + delta)
    return None, f"total timed minutes {total + delta} where the codes add up to {total}", ()


def u004(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    line = rng.choice([ln for ln in rec["services"] if ln["code"] in MULTI_UNIT_OK])
    line["units"] = 2
    return line["code"], "untimed code billed with 2 units", ()


def u005(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    keep = rng.choice(timed_lines(rec))
    old = rec["total_timed_minutes"]
    rec["services"] = [ln for ln in rec["services"] if "minutes" not in ln or ln is keep]
    keep.pop("assistant_minutes", None)
    keep["modifiers"] = [m for m in keep["modifiers"] if m not in ("CQ", "CO")]
    keep["minutes"], keep["units"] = rng.randint(4, 7), 1
    rec["total_timed_minutes"] = keep["minutes"]
    rec["total_treatment_minutes"] += keep["minutes"] - old
    return keep["code"], f"only timed service, {keep['minutes']} minutes, billed 1 unit", ("U002",)


# --- M: modifiers --------------------------------------------------------------------
def m001(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    line = rng.choice(rec["services"])
    disc = DISCIPLINE_MODIFIER[rec["discipline"]]
    line["modifiers"] = [m for m in line["modifiers"] if m != disc]
    return line["code"], f"{disc} missing", ()


def m002(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    lines = [ln for ln in rec["services"] if not ({"CQ", "CO"} & set(ln["modifiers"]))]
    line = rng.choice(lines)
    disc = DISCIPLINE_MODIFIER[rec["discipline"]]
    wrong = rng.choice([m for m in ("GP", "GO", "GN") if m != disc])
    line["modifiers"] = [wrong if m == disc else m for m in line["modifiers"]]
    return line["code"], f"{wrong} on a {rec['discipline']} visit", ()


def m003(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    assist = ASSISTANT_MODIFIER[rec["discipline"]]
    line = rng.choice([ln for ln in rec["services"] if assist in ln["modifiers"]])
    line["modifiers"] = [m for m in line["modifiers"] if m != assist]
    return line["code"], f"{assist} missing with {line['assistant_minutes']} assistant minutes", ()


def m004(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    assist = ASSISTANT_MODIFIER[rec["discipline"]]
    line = rng.choice(timed_lines(rec))
    line["modifiers"] = [line["modifiers"][0], assist, *line["modifiers"][1:]]
    return line["code"], f"{assist} without assistant minutes", ()


def m005(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    line = rng.choice(rec["services"])
    line["modifiers"] = [m for m in line["modifiers"] if m != "KX"]
    return line["code"], f"KX missing; year-to-date {rec['kx_ytd_allowed']} over the threshold", ()


# --- N: NCCI, MUE, payability, evaluations --------------------------------------------
def ncci_pair(rec: Record, facts: Facts) -> tuple[str, str] | None:
    """(code to add, column-2 code to report) for a pair this visit can take."""
    codes = {ln["code"] for ln in rec["services"]}
    taken = set(facts.other_codes) | codes
    if "97140" in codes and "97530" not in taken:
        return "97530", "97530"
    if "97530" in codes and "97140" not in taken:
        return "97140", "97530"
    if codes & {"97161", "97162", "97163"} and "97140" not in taken:
        return "97140", "97140"
    return None


def n001(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    add, column2 = ncci_pair(rec, facts) or ("97530", "97530")
    _rebill(rec, facts, world, (add, rng.randint(15, 22), 0))  # earns a unit of its own
    return column2, f"{add} added in the same time block, no 59/X modifier", ()


def n003(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    _rebill(rec, facts, world, ("97035", 45, 0))
    return "97035", "ultrasound 45 minutes billed 3 units (MUE 2)", ()


def n004(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    for line in rec["services"]:
        if line["code"] == "G0283":
            line["code"] = "97014"
            return "97014", "97014 billed to Medicare instead of G0283", ()
    mods = [DISCIPLINE_MODIFIER[rec["discipline"]]] + (["KX"] if facts.kx else [])
    ptr = rec["services"][0]["dx_pointers"]
    rec["services"].append({"code": "97014", "units": 1, "modifiers": mods, "dx_pointers": ptr})
    rec["total_treatment_minutes"] += 10
    return "97014", "97014 billed to Medicare (G0283 is payable)", ()


def second_eval_code(rec: Record) -> str | None:
    codes = {ln["code"] for ln in rec["services"]}
    if rec["discipline"] == "SLP" or not codes & ALL_EVALS:
        return None  # NCCI's one-evaluation edit covers the PT and OT codes
    if rec["discipline"] == "PT" and "97140" in codes:
        return None
    options = [c for c in EVALS[rec["discipline"]] if c not in codes]
    return options[0] if options else None


def n005(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    code = second_eval_code(rec) or EVALS[rec["discipline"]][0]
    mods = [DISCIPLINE_MODIFIER[rec["discipline"]]] + (["KX"] if facts.kx else [])
    ptr = rec["services"][0]["dx_pointers"]
    rec["services"].append({"code": code, "units": 1, "modifiers": mods, "dx_pointers": ptr})
    rec["total_treatment_minutes"] += 30
    return code, "a second evaluation on the same date", ()


# --- D: diagnoses ---------------------------------------------------------------------
def d001(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    dx = rec["diagnoses"]
    i = rng.randrange(len(dx))
    siblings = world.tables.invalid_siblings
    bad = siblings.get(dx[i]) or rng.choice(world.tables.invalid_diagnoses)
    old, dx[i] = dx[i], bad
    return None, f"{bad} (does not exist) instead of {old}", ()


def d002(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    dx = rec["diagnoses"]
    i = rng.randrange(len(dx))
    parent = dx[i][:-1].rstrip(".")
    old, dx[i] = dx[i], parent
    return None, f"{parent} (not billable: a code below it is required) instead of {old}", ()


def d003(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    if rng.random() < 0.5:
        rec["diagnoses"] = []
        return None, "no diagnosis", ()
    line = rng.choice(rec["services"])
    line["dx_pointers"] = [len(rec["diagnoses"]) + 1]
    return line["code"], f"pointer {len(rec['diagnoses']) + 1} past the diagnosis list", ()


def d004(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    cause = rng.choice(world.tables.external_causes)
    rec["diagnoses"].insert(0, cause)
    for line in rec["services"]:
        line["dx_pointers"] = [p + 1 for p in line["dx_pointers"]]
    return None, f"external-cause code {cause} listed first", ()


# --- E, A, P, C ------------------------------------------------------------------------
def e002(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    start = date.fromisoformat(rec["coverage"]["start"])
    end = max(start, _day(rec) - timedelta(days=rng.randint(1, 30)))
    rec["coverage"] = {"active": False, "start": start.isoformat(), "end": end.isoformat()}
    return None, f"coverage ended {end.isoformat()}", ()


def a001(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    del rec["authorization"]
    return None, "authorization missing", ()


def a002(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    auth = rec["authorization"]
    auth["visits_used"] = auth["visits_authorized"] + rng.randint(1, 3)
    return None, f"{auth['visits_used']} visits used of {auth['visits_authorized']}", ()


def a003(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    auth, day = rec["authorization"], _day(rec)
    span = date.fromisoformat(auth["end"]) - date.fromisoformat(auth["start"])
    if rng.random() < 0.5:
        end = day - timedelta(days=rng.randint(1, 15))
        start = end - span
    else:
        start = day + timedelta(days=rng.randint(1, 10))
        end = start + span
    auth["start"], auth["end"] = start.isoformat(), end.isoformat()
    return None, f"window {auth['start']}..{auth['end']} excludes the date", ()


def a005(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    ben = rec["benefits"]
    ben["visits_used"] = ben["visit_limit"] + rng.randint(1, 4)
    return None, f"{ben['visits_used']} visits used of the {ben['visit_limit']} a year", ()


def p001(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    plan, day = rec["plan_of_care"], _day(rec)
    gap = (day - date.fromisoformat(plan["start"])).days
    if gap < 2:
        del rec["plan_of_care"]
        return None, "no plan of care", ()
    plan["through"] = (day - timedelta(days=rng.randint(1, min(14, gap)))).isoformat()
    return None, f"plan of care ended {plan['through']}", ()


def p002(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    plan = rec["plan_of_care"]
    late = date.fromisoformat(plan["start"]) + timedelta(days=rng.randint(31, 60))
    plan["certified_on"] = late.isoformat()
    return None, f"initial certification signed {late.isoformat()}", ()


def p004(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    n = rec["episode_visit_number"]
    rec["last_progress_report_visit"] = rng.randint(1, n - 12)
    gap = n - rec["last_progress_report_visit"]
    return None, f"{gap} treatment days since the last progress report", ()


def c004(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    npi = rec["rendering"]["npi"]
    rec["rendering"]["npi"] = npi[:9] + str((int(npi[9]) + rng.randint(1, 9)) % 10)
    return None, "rendering NPI check digit wrong", ()


def c005(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    what = rng.choice(("member_id", "place_of_service", "rendering.npi"))
    if what == "rendering.npi":
        del rec["rendering"]["npi"]
    else:
        del rec[what]
    return None, f"{what} missing", ()


def duplicate(rng: random.Random, rec: Record, facts: Facts, world: World) -> Outcome:
    return None, "", ()  # handled by inject_defect: an extra record
