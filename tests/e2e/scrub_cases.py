"""One firing and one quiet visit file per rule, for `ptrcm scrub --format json` tests.

``CASES[rule_id]`` is ``(firing records, quiet records, ptrcm.toml text or None)``. The
catalog test requires an entry for every rule id in the catalog.
"""

from __future__ import annotations

from typing import Any

from tests.unit.scrub.factory import base, service

Records = list[dict[str, Any]]
Case = tuple[Records, Records, str | None]


def _with(record: dict[str, Any], code: str, **fields: Any) -> dict[str, Any]:
    service(record, code).update(fields)
    return record


def _drop(record: dict[str, Any], code: str, key: str) -> dict[str, Any]:
    del service(record, code)[key]
    return record


def _add(record: dict[str, Any], *services: dict[str, Any]) -> dict[str, Any]:
    record["services"] = [*record["services"], *services]
    return record


def _pair(*services: dict[str, Any], **changes: Any) -> dict[str, Any]:
    timed = sum(int(s.get("minutes", 0)) for s in services)
    return base(services=list(services), total_timed_minutes=timed, **changes)


def _slp(*codes: str) -> dict[str, Any]:
    return base(
        discipline="SLP",
        rendering={"npi": "1234567893", "credential": "SLP"},
        services=[{"code": c} for c in codes],
        total_timed_minutes=0,
    )


PLAN = {"start": "2026-02-10", "certified_on": "2026-02-20", "through": "2026-05-10"}
AUTH = {"number": "A1", "visits_authorized": 12, "start": "2026-02-01", "end": "2026-04-30"}
LIMIT = {"visit_limit": 20, "plan_year_start": "2026-01-01"}


def _no_member() -> dict[str, Any]:
    record = base()
    del record["member_id"]
    return record


def _pta(**changes: Any) -> dict[str, Any]:
    """A Medicare PT visit by a PTA under a supervising PT (MBPM ch. 15 §230.1)."""
    record = base(
        rendering={"npi": "1234567893", "credential": "PTA", "name": "Lee Park"},
        supervising={"npi": "1245319599", "name": "Ana Ruiz", "credential": "PT"},
    )
    service(record, "97110")["assistant_minutes"] = 30
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


TELEHEALTH = "[payers.MEDICAID]\ntelehealth_modifier_required = true\n"
EARLIER_EVAL = _add(base(visit_id="V-0"), {"code": "97162"})

CASES: dict[str, Case] = {
    "U001": ([_drop(_with(base(), "97140", units=1), "97140", "minutes")], [base()], None),
    "U002": ([_with(base(), "97110", units=3)], [_with(base(), "97110", units=2)], None),
    "U003": ([base(total_timed_minutes=45)], [base()], None),
    "U004": ([_add(base(), {"code": "97012", "units": 2})],
             [_add(base(), {"code": "97012", "units": 1})], None),
    "U005": ([base(services=[{"code": "97110", "minutes": 6, "units": 1}, {"code": "97012"}],
                   total_timed_minutes=6)],
             [base(services=[{"code": "97110", "minutes": 8, "units": 1}, {"code": "97012"}],
                   total_timed_minutes=8)], None),
    "U006": ([_add(base(), {"code": "97799"})], [base()], None),
    "U007": ([base(total_treatment_minutes=35)], [base()], None),
    "U008": ([base(services=[{"code": "97129", "minutes": 40, "units": 3}],
                   total_timed_minutes=40)],
             [base(services=[{"code": "97129", "minutes": 40}], total_timed_minutes=40)], None),
    "M001": ([_with(base(), "97110", modifiers=["59"])], [base()], None),
    "M002": ([_with(base(), "97140", modifiers=["GO"])],
             [_with(base(), "97140", modifiers=["GP"])], None),
    "M003": ([_with(base(), "97110", assistant_minutes=30, modifiers=["GP"])],
             [_with(base(), "97110", assistant_minutes=15)], None),
    "M008": ([_pta(supervising=None)], [_pta()], None),
    "M009": ([_with(_pta(), "97110", assistant_minutes=0)], [_pta()], None),
    "M010": ([_add(_pta(), {"code": "97164"})], [_add(base(), {"code": "97164"})], None),
    "M011": ([_add(base(), {"code": "92507"})], [_add(base(), {"code": "97150"})], None),
    "M004": ([_with(base(), "97110", modifiers=["GP", "CQ"])], [base()], None),
    "M005": ([base(kx_ytd_allowed="2470.00")], [base(kx_ytd_allowed="1000.00")], None),
    "M006": ([_with(base(), "97110", modifiers=["GP", "KX"])],
             [_with(base(kx_ytd_allowed="2000.00"), "97110", modifiers=["GP", "KX"])], None),
    # Four modifiers billed leave no room for the telehealth modifier the claim would get.
    "M007": ([_pair({"code": "97110", "minutes": 30, "modifiers": ["GP", "KX", "59", "76"]},
                    payer_id="MEDICAID", place_of_service="02")],
             [base(payer_id="MEDICAID", place_of_service="11")], TELEHEALTH),
    "N001": ([_pair({"code": "97140", "minutes": 15}, {"code": "97530", "minutes": 15})],
             [_pair({"code": "97140", "minutes": 15},
                    {"code": "97530", "minutes": 15, "modifiers": ["GP", "XU"]})], None),
    "N002": ([_pair({"code": "97140", "minutes": 15}, {"code": "97530", "minutes": 15})],
             [_pair({"code": "97140", "minutes": 15}, {"code": "97110", "minutes": 15})],
             "[payers.MEDICARE]\nncci_pairs = [{ column1 = \"97140\", column2 = \"97530\","
             " indicator = 0 }]\n"),
    "N003": ([_pair({"code": "97035", "minutes": 38})],
             [_pair({"code": "97035", "minutes": 30})], None),
    "N004": ([_add(base(), {"code": "97014"})], [_add(base(), {"code": "G0283"})], None),
    "N005": ([EARLIER_EVAL, _add(base(), {"code": "97164"})],
             [_add(base(), {"code": "97164"})], None),
    "D001": ([base(diagnoses=["M54.16", "M54.99"])], [base()], None),
    "D002": ([base(diagnoses=["M54.1", "M62.81"])], [base()], None),
    "D003": ([base(diagnoses=[])], [base()], None),
    "D004": ([base(diagnoses=["W11.XXXD", "M54.16"])], [base(diagnoses=["M54.16", "W11.XXXD"])],
             None),
    "D005": ([base(diagnoses=["J45.909"])], [base(diagnoses=["R26.2"])], None),
    "E001": ([base()], [base(eligibility_verified_on="2026-02-20")], None),
    "E002": ([base(coverage={"active": False})],
             [base(coverage={"active": True, "start": "2025-01-01"})], None),
    "A001": ([base(payer_id="MEDICAID")],
             [base(payer_id="MEDICAID", authorization=AUTH | {"visits_used": 3})], None),
    "A002": ([base(authorization=AUTH | {"visits_used": 12})],
             [base(authorization=AUTH | {"visits_used": 11})], None),
    "A003": ([base(authorization=AUTH | {"start": "2026-03-05"})], [base(authorization=AUTH)],
             None),
    "A004": ([base(authorization=AUTH | {"visits_used": 9})],
             [base(authorization=AUTH | {"visits_used": 5})], None),
    "A005": ([base(benefits=LIMIT | {"visits_used": 20})],
             [base(benefits=LIMIT | {"visits_used": 5})], None),
    "A006": ([base(benefits=LIMIT | {"visits_used": 17})],
             [base(benefits=LIMIT | {"visits_used": 5})], None),
    "P001": ([base()], [base(plan_of_care=PLAN)], None),
    "P002": ([base(plan_of_care=PLAN | {"start": "2026-01-05", "certified_on": "2026-02-20"})],
             [base(plan_of_care=PLAN)], None),
    "P003": ([base(plan_of_care={"start": "2025-11-01", "certified_on": "2025-11-05"})],
             [base(plan_of_care=PLAN)], None),
    "P004": ([base(episode_visit_number=15, last_progress_report_visit=4)],
             [base(episode_visit_number=7, last_progress_report_visit=1)], None),
    "C001": ([base(date_of_service="2025-01-02")], [base()], None),
    "C002": ([base(payer_id="COMMERCIAL", date_of_service="2026-01-01")], [base()], None),
    "C003": ([base(visit_id="V-0"), base()],
             [base(visit_id="V-0", date_of_service="2026-03-01"), base()], None),
    "C004": ([base(rendering={"npi": "1234567890", "credential": "PT"})], [base()], None),
    "C005": ([_no_member()], [base()], None),
    "C006": ([base(date_of_service="2026-03-21")], [base(date_of_service="2026-03-20")], None),
}  # fmt: skip
