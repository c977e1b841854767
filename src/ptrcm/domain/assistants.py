"""Services of therapy assistants: which billed units carry CQ/CO (reference §3).

A PTA/OTA's service is billed under the supervising therapist (MBPM Pub 100-02 ch. 15
§230.1–230.2); the CQ (PT) / CO (OT) modifier marks the units "furnished in whole or in
part" by the assistant, and from 2022 Medicare pays those units at 85% (SSA §1834(v),
CY 2019 PFS final rule 83 FR 59654–59660, CY 2020 PFS final rule 84 FR 62702–62707).
Only the assistant's minutes *without* the therapist count: minutes they furnished
together are the therapist's.

The de minimis test is made per billed unit, not per service. For a 15-minute timed code
(CMS "Billing Examples Using CQ/CO Modifiers for Services Furnished In Whole or In Part by
PTAs and OTAs", as revised by the CY 2022 PFS final rule, 86 FR 64996, Nov. 19, 2021):

1. Each full 15 minutes the assistant furnished alone is a unit billed with CQ/CO; each
   full 15 minutes of the therapist is a unit billed without it.
2. The units still owed after the full ones are the "final" units, made of the leftover
   minutes of each (``assistant % 15`` and ``therapist % 15``):
   - two final units (both leftovers earned one): one with and one without the modifier;
   - one final unit, rule ``"threshold"`` (CY 2022 on): without the modifier when the
     therapist's leftover alone reaches the 8-minute billing threshold; with it when the
     assistant's does and the therapist's does not; when neither reaches 8, the 10%
     de minimis standard decides on that unit's minutes;
   - one final unit, rule ``"de_minimis"`` (2020–2021): the 10% standard on that unit's
     minutes.

An untimed (service-based) code, an evaluation excepted, carries the modifier when the
assistant's minutes are more than 10% of the service's minutes. Evaluations and
re-evaluations are never furnished by assistants (MBPM ch. 15 §230.1), so they never get
a CQ/CO unit: the scrubber reports them instead.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

UNIT = 15
BILLING_THRESHOLD = 8  # minutes that earn a 15-minute unit (MCPM ch. 5 §20.2)
DE_MINIMIS = Decimal("0.10")
FINAL_UNIT_RULES = ("threshold", "de_minimis")
THRESHOLD_RULE_FROM = date(2022, 1, 1)  # CY 2022 PFS final rule


def final_unit_rule_on(day: date) -> str:
    """The final-unit rule in force on a date of service (CY 2022 revision from 2022)."""
    return "threshold" if day >= THRESHOLD_RULE_FROM else "de_minimis"


def exceeds_de_minimis(assistant: int, total: int, de_minimis: Decimal = DE_MINIMIS) -> bool:
    """True when ``assistant`` minutes are more than ``de_minimis`` of ``total`` minutes."""
    return total > 0 and assistant > 0 and Decimal(assistant) > de_minimis * total


def assistant_units(
    units: int,
    minutes: int | None,
    assistant_minutes: int,
    *,
    timed: bool,
    de_minimis: Decimal = DE_MINIMIS,
    final_unit_rule: str = "threshold",
) -> int:
    """How many of a code's ``units`` on one date carry CQ/CO (see the module docstring).

    ``minutes`` are all of the service's minutes; ``assistant_minutes`` the part the
    assistant furnished alone (capped at ``minutes``).
    """
    if final_unit_rule not in FINAL_UNIT_RULES:
        raise ValueError(f"final_unit_rule must be one of {FINAL_UNIT_RULES}")
    if units <= 0 or not minutes or assistant_minutes <= 0:
        return 0
    alone = min(assistant_minutes, minutes)
    if not timed:
        return units if exceeds_de_minimis(alone, minutes, de_minimis) else 0
    therapist = minutes - alone
    full_assistant = min(alone // UNIT, units)
    final = units - full_assistant - therapist // UNIT
    left_a, left_t = alone % UNIT, therapist % UNIT
    if final <= 0:
        return full_assistant
    if final >= 2:
        return min(units, full_assistant + (1 if left_a else 0))
    if final_unit_rule == "threshold":
        if left_t >= BILLING_THRESHOLD:
            return full_assistant
        if left_a >= BILLING_THRESHOLD:
            return full_assistant + 1
    return full_assistant + int(exceeds_de_minimis(left_a, left_a + left_t, de_minimis))
