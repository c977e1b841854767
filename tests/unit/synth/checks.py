"""Independent checks that a visit record really has a labelled defect (tests only)."""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.config import load_config
from ptrcm.domain.assistants import assistant_units, final_unit_rule_on
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.npi import npi_is_valid
from ptrcm.domain.units import compute_units
from ptrcm.synth.tables import kx_threshold

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the library reads data the old way
    import simple_icd_10_cm as cm

Record = dict[str, Any]
CATALOG = load_catalog()
PAYERS = load_config().payers
DISC = {"PT": "GP", "OT": "GO", "SLP": "GN"}
ASSIST = {"PT": "CQ", "OT": "CO"}
PAIRS = (("97140", "97530"), ("97161", "97140"), ("97162", "97140"), ("97163", "97140"),
         ("97530", "97164"), ("97150", "97164"), ("97530", "97168"), ("97150", "97168"),
         ("97012", "97140"),
         *((one, "97150") for one in ("97110", "97112", "97113", "97116", "97140", "97530",
                                      "97533", "97535", "97537", "97542")))  # fmt: skip
EVAL_CODES = {"97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168"}
DISTINCT = {"59", "XE", "XS", "XP", "XU"}


def icd_exists(code: str) -> bool:
    return bool(cm.is_valid_item(code))


def icd_billable(code: str) -> bool:
    return bool(cm.is_valid_item(code) and cm.is_leaf(code))


def engine_units(rec: Record) -> dict[str, int]:
    method = PAYERS[rec["payer_id"]].unit_method
    pairs = [(s["code"], s.get("minutes")) for s in rec["services"]]
    return compute_units(pairs, method, CATALOG).units


def assistant_counts(rec: Record) -> dict[str, tuple[int, int]]:
    """code -> (units the per-unit CQ/CO rule gives the modifier, units billed with it)."""
    assist = ASSIST.get(rec["discipline"])
    if assist is None:
        return {}
    units = engine_units(rec)
    rule = final_unit_rule_on(_day(rec["date_of_service"]))
    minutes: dict[str, int] = {}
    helper: dict[str, int] = {}
    billed: dict[str, int] = {}
    for s in rec["services"]:
        code = s["code"]
        minutes[code] = minutes.get(code, 0) + (s.get("minutes") or 0)
        helper[code] = helper.get(code, 0) + s.get("assistant_minutes", 0)
        if assist in s["modifiers"]:
            billed[code] = billed.get(code, 0) + s["units"]
    out = {}
    for code, total in units.items():
        info = CATALOG.get(code)
        expected = 0
        if info is not None and not info.is_evaluation and code in minutes:
            timed = info.timed and info.unit_minutes == 15 and info.add_on_of is None
            expected = assistant_units(
                total, minutes[code], helper[code], timed=timed, final_unit_rule=rule
            )
        out[code] = (expected, billed.get(code, 0))
    return out


def timed_minutes(rec: Record) -> int:
    return sum(s.get("minutes") or 0 for s in rec["services"] if CATALOG.is_timed(s["code"]))


def _line(rec: Record, code: str | None) -> list[Record]:
    return [s for s in rec["services"] if code is None or s["code"] == code]


def _day(value: str) -> date:
    return date.fromisoformat(value)


def has_defect(rec: Record, rule: str, code: str | None, by_id: dict[str, Record]) -> bool:
    """True when ``rec`` shows the defect ``rule`` (on ``code`` when given)."""
    lines = _line(rec, code)
    disc = DISC[rec["discipline"]]
    dos = _day(rec["date_of_service"])
    if rule == "U001":
        return any(s.get("minutes") is None and CATALOG.is_timed(s["code"]) for s in lines)
    if rule == "U002":
        units = engine_units(rec)
        billed: dict[str, int] = {}
        for s in lines:
            billed[s["code"]] = billed.get(s["code"], 0) + s["units"]
        return any(n != units.get(c) for c, n in billed.items())
    if rule == "U003":
        return rec["total_timed_minutes"] != timed_minutes(rec)
    if rule == "U004":
        return any(not CATALOG.is_timed(s["code"]) and s["units"] > 1 for s in lines)
    if rule == "U005":
        timed = [s for s in rec["services"] if CATALOG.is_timed(s["code"])]
        return len(timed) == 1 and timed[0]["minutes"] < 8 and timed[0]["units"] >= 1
    if rule == "M001":
        return any(disc not in s["modifiers"] for s in lines)
    if rule == "M002":
        return any(set(s["modifiers"]) & (set(DISC.values()) - {disc}) for s in lines)
    if rule == "M003":
        counts = assistant_counts(rec)
        return any(e > b for c, (e, b) in counts.items() if code is None or c == code)
    if rule == "M004":
        counts = assistant_counts(rec)
        return any(e < b for c, (e, b) in counts.items() if code is None or c == code)
    if rule == "M005":
        over = Decimal(rec["kx_ytd_allowed"]) > kx_threshold(dos.year)
        return over and any("KX" not in s["modifiers"] for s in lines)
    if rule == "N001":
        codes = {s["code"] for s in rec["services"]}
        return any(
            a in codes and b in codes and code in (a, b) and not DISTINCT & set(s["modifiers"])
            for a, b in PAIRS
            for s in _line(rec, code)
        )
    if rule == "N003":
        return sum(s["units"] for s in rec["services"] if s["code"] == "97035") > 2
    if rule == "N004":
        return rec["payer_id"] == "MEDICARE" and any(s["code"] == "97014" for s in lines)
    if rule == "N005":
        return len([s for s in rec["services"] if s["code"] in EVAL_CODES]) > 1
    if rule == "D001":
        return any(not icd_exists(d) for d in rec["diagnoses"])
    if rule == "D002":
        return any(icd_exists(d) and not icd_billable(d) for d in rec["diagnoses"])
    if rule == "D003":
        n = len(rec["diagnoses"])
        return n == 0 or any(p > n for s in rec["services"] for p in s["dx_pointers"])
    if rule == "D004":
        return bool(rec["diagnoses"]) and rec["diagnoses"][0][0] in "VWXY"
    if rule == "E002":
        cov = rec["coverage"]
        return not cov["active"] or (cov.get("end") is not None and _day(cov["end"]) < dos)
    if rule == "A001":
        return PAYERS[rec["payer_id"]].auth_required and "authorization" not in rec
    if rule == "A002":
        auth = rec["authorization"]
        return auth["visits_used"] + 1 > auth["visits_authorized"]
    if rule == "A003":
        auth = rec["authorization"]
        return not _day(auth["start"]) <= dos <= _day(auth["end"])
    if rule == "A005":
        ben = rec["benefits"]
        return ben["visits_used"] + 1 > ben["visit_limit"]
    if rule == "P001":
        plan = rec.get("plan_of_care")
        return plan is None or not _day(plan["start"]) <= dos <= _day(plan["through"])
    if rule == "P002":
        plan = rec["plan_of_care"]
        return (_day(plan["certified_on"]) - _day(plan["start"])).days > 30
    if rule == "P004":
        return rec["episode_visit_number"] - rec["last_progress_report_visit"] > 10
    if rule == "C003":
        same = [
            o for o in by_id.values()
            if o["visit_id"] != rec["visit_id"] and o["patient_id"] == rec["patient_id"]
            and o["date_of_service"] == rec["date_of_service"]
            and {s["code"] for s in o["services"]} & {s["code"] for s in rec["services"]}
        ]  # fmt: skip
        return bool(same)
    if rule == "C004":
        return not npi_is_valid(rec["rendering"]["npi"])
    if rule == "C005":
        missing_npi = "npi" not in rec["rendering"]
        return "member_id" not in rec or "place_of_service" not in rec or missing_npi
    raise AssertionError(f"no check for rule {rule}")
