"""The rule catalog: every rule family's ``RULES``, imported by name, in a fixed order.

No discovery: a new rule module is added to ``_MODULES`` by hand. Duplicate ids are
refused when the catalog is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from ptrcm.errors import InvariantError
from ptrcm.rules import (
    assistants,
    authorization,
    claim_data,
    diagnoses,
    eligibility,
    modifiers,
    ncci,
    plan_of_care,
    units_rules,
)
from ptrcm.rules.engine import Rule, rule_selected

FAMILY_ORDER = "UMNDEAPC"
_MODULES = (
    units_rules, modifiers, assistants, ncci, diagnoses, eligibility, authorization,
    plan_of_care, claim_data,
)  # fmt: skip


def build_catalog(groups: Sequence[Sequence[Rule]]) -> tuple[Rule, ...]:
    """All rules in family order (U M N D E A P C), then by id; duplicate ids refused."""
    seen: dict[str, str] = {}
    rules: list[Rule] = []
    for group in groups:
        for rule in group:
            if rule.id in seen:
                raise InvariantError(f"rule id {rule.id} is defined twice ({rule.title!r})")
            if rule.family not in FAMILY_ORDER:
                raise InvariantError(f"rule id {rule.id} has an unknown family")
            seen[rule.id] = rule.title
            rules.append(rule)
    return tuple(sorted(rules, key=lambda r: (FAMILY_ORDER.index(r.family), r.id)))


@cache
def all_rules() -> tuple[Rule, ...]:
    """The catalog of ptrcm's rules."""
    return build_catalog([m.RULES for m in _MODULES])


def select_rules(select: Sequence[str] = (), ignore: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The catalog filtered linter-style (ids or prefixes; ignore wins)."""
    return tuple(r for r in all_rules() if rule_selected(r.id, select, ignore))
