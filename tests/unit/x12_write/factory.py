"""Visits, claims and settings for the 837 writer tests: a fixed clock, fixed control
numbers and a configuration with an institutional payer beside the built-in ones."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ptrcm.config import Config, default_document, parse_config
from ptrcm.domain.adjudication import Adjustment, LineAdjudication, PrimaryAdjudication
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.money import Money, sum_money
from ptrcm.services.claims.building import build_claim
from ptrcm.x12.claim837.institutional import write_837i
from ptrcm.x12.claim837.professional import Billing, write_837p
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings

NOW = datetime(2026, 3, 9, 14, 30)
SETTINGS = EnvelopeSettings(
    sender_id="123456789",
    receiver_id="CLEARINGHSE",
    submitter_name="Riverside Rehab Partners",
    contact_name="Billing Office",
    contact_phone="2175550100",
    usage="T",
)
PATIENT = {
    "first_name": "Maria",
    "last_name": "Lopez",
    "birth_date": "1951-06-14",
    "sex": "F",
    "address": {"line1": "12 Oak Ave", "city": "Springfield", "state": "IL", "zip": "62704"},
}
SUBSCRIBER = {
    "relationship": "spouse",
    "first_name": "Carlos",
    "last_name": "Lopez",
    "birth_date": "1949-02-03",
    "sex": "M",
    "address": {"line1": "12 Oak Ave", "city": "Springfield", "state": "IL", "zip": "62704"},
}
BASE_VISIT: dict[str, Any] = {
    "visit_id": "V-1001",
    "patient_id": "P-17",
    "date_of_service": "2026-03-02",
    "payer_id": "MEDICARE",
    "member_id": "1EG4TE5MK73",
    "place_of_service": "11",
    "discipline": "PT",
    "rendering": {"npi": "1679576722", "credential": "PT", "name": "Ana Ruiz"},
    "diagnoses": ["M54.16", "M62.81"],
    "services": [
        {"code": "97110", "minutes": 23},
        {"code": "97140", "minutes": 10},
        {"code": "97530", "minutes": 15},
    ],
    "plan_of_care": {"start": "2026-02-10", "certified_on": "2026-02-20"},
    "episode_visit_number": 7,
    "authorization": {"number": "A123"},
    "patient": PATIENT,
    "referring": {"npi": "1003000126", "name": "Lee Park"},
    "onset_date": "2026-01-15",
}
INSTITUTIONAL_PAYERS = """
[payers.MEDICARE_HOPD]
name = "Medicare Hospital Outpatient"
class = "medicare"
payer_code = "MCRA"
claim_type = "837I"

[payers.CORF_MEDICARE]
name = "Medicare CORF"
class = "medicare"
payer_code = "MCRA"
claim_type = "837I"
type_of_bill = "75"
"""


def config() -> Config:
    """The built-in configuration plus two institutional (837I) payers."""
    import tomllib

    doc = default_document()
    doc["payers"].update(tomllib.loads(INSTITUTIONAL_PAYERS)["payers"])
    return parse_config(doc, "<test>")


CONFIG = config()
CATALOG = load_catalog()


def visit_record(**changes: Any) -> dict[str, Any]:
    """The base visit record with top-level keys replaced (None removes a key)."""
    record = copy.deepcopy(BASE_VISIT)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def claim(**changes: Any) -> Claim:
    """The claim ptrcm builds for the base visit with ``changes``."""
    return build_claim(parse_visit(visit_record(**changes)), CONFIG, CATALOG)


def many_lines(base: Claim, count: int) -> Claim:
    """A claim of ``count`` lines over consecutive days (a month of visits billed once)."""
    lines = []
    for n in range(1, count + 1):
        day = date(2026, 1, 1).toordinal() + (n - 1) // 2
        code = "97110" if n % 2 else "97140"
        lines.append(
            ClaimLine(
                line_number=n,
                date_of_service=date.fromordinal(day),
                code=code,
                modifiers=("GP",),
                units=1,
                expected_units=1,
                charge=Money.of("55.00"),
                dx_pointers=(1,),
            )
        )
    return replace(base, lines=tuple(lines))


def primary_adjudication(claim: Claim, payer_id: str = "MEDICARE") -> PrimaryAdjudication:
    """A balanced primary decision: each line allowed at 80% of its charge, paid 80% of
    that, the rest contractual (CO-45) and coinsurance (PR-2)."""
    lines = []
    for line in claim.lines:
        allowed = line.charge * Decimal("0.8")
        paid = allowed * Decimal("0.8")
        lines.append(
            LineAdjudication(
                line_number=line.line_number,
                code=line.code,
                paid=paid,
                units=line.units,
                adjustments=(
                    Adjustment("CO", "45", line.charge - allowed),
                    Adjustment("PR", "2", allowed - paid),
                ),
            )
        )
    paid_total = sum_money(x.paid for x in lines)
    return PrimaryAdjudication(
        payer_id=payer_id,
        member_id="1EG4TE5MK73",
        paid_date=date(2026, 3, 30),
        paid=paid_total,
        lines=tuple(lines),
        payer_claim_number="2226070123456",
        remark_codes=("N130",),
    )


def billing(**adjudications: PrimaryAdjudication) -> Billing:
    return Billing(CONFIG.clinic, CONFIG.payers, adjudications=adjudications)


def write_p(claims: list[Claim], bill: Billing | None = None) -> str:
    return write_837p(claims, bill or billing(), SETTINGS, CounterControlNumbers(), NOW)


def write_i(claims: list[Claim], bill: Billing | None = None) -> str:
    return write_837i(claims, bill or billing(), SETTINGS, CounterControlNumbers(), NOW)


def segments(text: str) -> list[str]:
    """The segments of a file ptrcm wrote ("~" terminator, optional line breaks)."""
    return [s.strip() for s in text.split("~") if s.strip()]
