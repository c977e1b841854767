"""Apply the safe fixes findings carry: a pure ``Visit -> Visit`` plus what changed.

Only findings with a ``Fix`` are applied; rules leave the fix off whenever a person must
decide (KX, 59/X modifiers, diagnosis choice, missing documentation). Fixes act on the
visit's services, which are what the EMR billed: a fix makes a billed value explicit
(units, modifiers) so the re-scrubbed visit carries the corrected value; modifiers ptrcm
computed (GP/GO/GN, a CQ/CO split) stay computed unless a fix edits them. When one code
appears on several service entries, they are first combined into one (one line per code
per date of service), as the charge builder does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ptrcm.domain.charges import Charges, merge_services
from ptrcm.domain.visits import Service, Visit
from ptrcm.errors import InvariantError
from ptrcm.rules.engine import Finding, Fix

_SERVICE_KINDS = ("set_units", "add_modifier", "remove_modifier", "replace_modifier",
                  "replace_code", "drop_service")  # fmt: skip
KINDS = (*_SERVICE_KINDS, "set_total_timed_minutes")


@dataclass(frozen=True, slots=True)
class AppliedFix:
    visit_id: str
    rule: str
    code: str | None
    description: str


@dataclass(frozen=True, slots=True)
class FixResult:
    visit: Visit
    applied: tuple[AppliedFix, ...]

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def _services_by_code(visit: Visit) -> dict[str, Service]:
    """One service per code (entries of one code combined, as the charge builder does)."""
    out: dict[str, Service] = {}
    for s in visit.services:
        prev = out.get(s.code)
        out[s.code] = s if prev is None else merge_services(prev, s)
    return out


def _computed_modifiers(charges: Charges | None) -> dict[str, tuple[str, ...]]:
    """The modifiers ptrcm gave each code's first line (the base a modifier fix edits)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in charges.lines if charges else ():
        out.setdefault(line.code, line.modifiers)
    return out


def _apply_service_fix(
    services: dict[str, Service], fix: Fix, computed: dict[str, tuple[str, ...]]
) -> bool:
    """Change ``services`` in place; False when the fix no longer applies.

    Modifiers ptrcm computed stay computed (``None``) unless a modifier fix edits them:
    then the computed ones become explicit, so adding one keeps the others.
    """
    code = fix.code
    if code is None or code not in services:
        return False
    s = services[code]
    mods = tuple(s.modifiers if s.modifiers is not None else computed.get(code, ()))
    if fix.kind == "set_units":
        services[code] = replace(s, units=fix.value)
    elif fix.kind == "add_modifier":
        if fix.value in mods or len(mods) >= 4:
            return fix.value in mods
        services[code] = replace(s, modifiers=(*mods, fix.value))
    elif fix.kind == "remove_modifier":
        services[code] = replace(s, modifiers=tuple(m for m in mods if m != fix.value))
    elif fix.kind == "replace_modifier":
        old, new = fix.value
        kept = tuple(new if m == old else m for m in mods)
        services[code] = replace(s, modifiers=tuple(dict.fromkeys(kept)))
    elif fix.kind == "replace_code":
        if fix.value in services:
            return False  # the replacement is billed already: a person decides
        del services[code]
        services[fix.value] = replace(s, code=fix.value)
    elif fix.kind == "drop_service":
        if len(services) == 1:
            return False  # a visit keeps at least one service
        del services[code]
    else:
        raise InvariantError(f"unknown fix kind {fix.kind!r}")
    return True


def apply_fixes(
    visit: Visit, findings: Iterable[Finding], charges: Charges | None = None
) -> FixResult:
    """The visit with every safe fix of ``findings`` (for this visit) applied.

    ``charges`` (the scrubbed visit's charges) supplies the modifiers ptrcm computed for
    services the EMR sent without any, so adding one keeps the others.
    """
    fixes = [
        (f.rule, f.fix) for f in findings if f.fix is not None and f.visit_id == visit.visit_id
    ]
    if not fixes:
        return FixResult(visit, ())
    services = _services_by_code(visit)
    computed = _computed_modifiers(charges)
    order = [s.code for s in visit.services]
    applied: list[AppliedFix] = []
    total = visit.total_timed_minutes
    for rule, fix in fixes:
        if fix.kind == "set_total_timed_minutes":
            total = int(fix.value)
            applied.append(AppliedFix(visit.visit_id, rule, None, fix.description))
        elif fix.kind in _SERVICE_KINDS:
            if _apply_service_fix(services, fix, computed):
                applied.append(AppliedFix(visit.visit_id, rule, fix.code, fix.description))
                if fix.kind == "replace_code":
                    order = [fix.value if c == fix.code else c for c in order]
        else:
            raise InvariantError(f"unknown fix kind {fix.kind!r}")
    touched = {a.code for a in applied if a.code is not None} | {
        fix.value for _, fix in fixes if fix.kind == "replace_code"
    }
    ordered: list[Service] = []
    for code in dict.fromkeys(order):
        if code in touched or code not in services:
            if code in services:
                ordered.append(services[code])
        else:  # a code no fix touched keeps its entries (e.g. a CQ/CO split) as they were
            ordered.extend(s for s in visit.services if s.code == code)
    fixed = replace(visit, services=tuple(ordered), total_timed_minutes=total)
    return FixResult(fixed, tuple(applied))


def fix_visits(
    visits: Sequence[Visit], findings: Sequence[Finding], charges: dict[str, Charges] | None = None
) -> list[FixResult]:
    """``apply_fixes`` over a file's visits, in their order."""
    by_visit: dict[str, list[Finding]] = {}
    for f in findings:
        by_visit.setdefault(f.visit_id, []).append(f)
    return [
        apply_fixes(v, by_visit.get(v.visit_id, ()), (charges or {}).get(v.visit_id))
        for v in visits
    ]
