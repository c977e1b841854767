"""The four classes of a denial in an assessment, and the scrubber rule that prevents one.

A denial (a CAS adjustment whose CARC is of kind ``denial``, ``domain.denials``) is, first
match wins:

1. **preventable** when a pre-claim scrubber rule would have stopped it
   (``data/preventable_denials.toml``: CARC, optionally narrowed by a RARC, -> rule id);
2. **documentation** when its category is documentation or medical necessity (the
   records would have to answer it: CARC 16 without a preventing remark, 50, 56, 150,
   151, 226, 252, ...);
3. **appealable** when ``classify_adjustment`` says an appeal is possible; the window
   left comes from the payer class's appeal rules (``domain.deadlines``) counted from the
   remittance date;
4. **other**.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources

from ptrcm.domain.deadlines import appeal_deadline, appeal_rules_for
from ptrcm.domain.denials import Classification, DenialCategory

DOCUMENTATION_CATEGORIES = frozenset(
    {DenialCategory.DOCUMENTATION, DenialCategory.MEDICAL_NECESSITY}
)


class DenialClass(StrEnum):
    PREVENTABLE = "preventable"
    DOCUMENTATION = "documentation"
    APPEALABLE = "appealable"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PreventionTable:
    """CARC (+ RARC) -> scrubber rule id, from package data."""

    version: str
    by_remark: Mapping[tuple[str, str], str]
    by_carc: Mapping[str, str]

    def rule_for(self, carc: str, rarcs: Sequence[str]) -> str | None:
        for rarc in rarcs:
            rule = self.by_remark.get((carc, rarc))
            if rule is not None:
                return rule
        return self.by_carc.get(carc)


def parse_prevention_table(text: str, name: str) -> PreventionTable:
    data = tomllib.loads(text)
    by_remark: dict[tuple[str, str], str] = {}
    by_carc: dict[str, str] = {}
    for number, row in enumerate(data.get("rows", []), start=1):
        carc, rule = str(row.get("carc", "")).strip(), str(row.get("rule", "")).strip()
        if not carc or not rule:
            raise ValueError(f"{name}: row {number} needs carc and rule")
        rarc = str(row.get("rarc", "")).strip().upper()
        if rarc:
            by_remark[(carc, rarc)] = rule
        else:
            by_carc[carc] = rule
    return PreventionTable(str(data.get("meta", {}).get("version", "")), by_remark, by_carc)


@cache
def prevention_table() -> PreventionTable:
    text = resources.files("ptrcm.data").joinpath("preventable_denials.toml").read_text()
    return parse_prevention_table(text, "preventable_denials.toml")


@dataclass(frozen=True, slots=True)
class DenialVerdict:
    klass: DenialClass
    rule: str | None  # the preventing scrubber rule (preventable only)
    appeal_due: date | None  # last day of the first-level appeal (appealable only)
    appeal_level: str | None


def judge(
    classification: Classification,
    payer_class: str,
    notice_date: date | None,
    table: PreventionTable | None = None,
) -> DenialVerdict:
    """Which class one denial falls in, and its rule or appeal deadline."""
    table = table or prevention_table()
    rule = table.rule_for(classification.carc, classification.rarcs)
    if rule is not None:
        return DenialVerdict(DenialClass.PREVENTABLE, rule, None, None)
    if classification.category in DOCUMENTATION_CATEGORIES:
        return DenialVerdict(DenialClass.DOCUMENTATION, None, None, None)
    if classification.appealable:
        rules = appeal_rules_for(payer_class)
        if rules is None or notice_date is None:
            return DenialVerdict(DenialClass.APPEALABLE, None, None, None)
        deadline = appeal_deadline(notice_date, rules)
        return DenialVerdict(DenialClass.APPEALABLE, None, deadline.due, deadline.kind)
    return DenialVerdict(DenialClass.OTHER, None, None, None)
