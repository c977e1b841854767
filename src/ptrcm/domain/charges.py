"""Charge building: a visit becomes claim lines for a payer.

Units come from the payer's method (``units.compute_units``); what the EMR billed is kept
as the line's ``units`` (checked by the scrubber, never trusted), and ptrcm's own count is
``expected_units``. When the EMR gave no modifiers, ptrcm supplies them: the discipline
modifier GP/GO/GN on the codes the catalog lists for the visit's discipline (never on a
code of another discipline), and CQ/CO on the units an assistant furnished in whole or in
part, decided per billed unit (``domain.assistants``). One line per code per date of
service, except that a code whose units are partly CQ/CO units is billed as two lines,
with and without the modifier, as CMS's CQ/CO billing examples do. A line that would
carry zero units is not billed. Lines name the billing provider (an assistant's visit is
billed under the supervising therapist, MBPM ch. 15 §230.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from ptrcm.domain.assistants import assistant_units, exceeds_de_minimis, final_unit_rule_on
from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.codes import Catalog
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod, UnitResult, compute_units
from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER, Service, Visit

ASSISTANT_MODIFIERS = frozenset(ASSISTANT_MODIFIER.values())

MAX_POINTERS = 4


@dataclass(frozen=True, slots=True)
class ChargePolicy:
    """The payer parameters charge building needs (from config and rule packs)."""

    unit_method: UnitMethod
    discipline_modifier: bool = True
    assistant_modifier: bool = True
    assistant_de_minimis: Decimal = Decimal("0.10")
    # How the last, shared unit of a timed code is decided (domain.assistants); None:
    # by the date of service (the CY 2022 rule from 2022-01-01).
    assistant_final_unit: str | None = None


@dataclass(frozen=True, slots=True)
class Charges:
    visit_id: str
    unit_result: UnitResult
    lines: tuple[ClaimLine, ...]
    dropped: tuple[str, ...]  # codes documented but not billed (zero units)


def resolve_unit_method(
    primary: UnitMethod, secondary: UnitMethod | None, conflict: str
) -> UnitMethod:
    """The method for a visit billed to two payers that may count units differently.

    ``conflict`` is the practice setting of reference §1.2: ``"primary"`` follows the
    primary payer, ``"cms"`` always uses the Medicare total-time method when they differ.
    """
    if secondary is None or secondary is primary or conflict == "primary":
        return primary
    return UnitMethod.CMS


def assistant_share_exceeds(service: Service, de_minimis: Decimal) -> bool:
    """True when assistant-alone minutes are more than the de minimis share (10% default)."""
    return exceeds_de_minimis(service.assistant_minutes, service.minutes or 0, de_minimis)


def discipline_modifier_for(code: str, discipline: str, catalog: Catalog) -> str | None:
    """The GP/GO/GN a code gets on a visit of ``discipline``, or None.

    Only a code the catalog lists for that discipline gets the visit's modifier: a
    speech code (92507) on a PT visit gets no GP (the scrubber reports the mismatch).
    """
    info = catalog.get(code)
    if info is None or discipline not in info.disciplines:
        return None
    return DISCIPLINE_MODIFIER.get(discipline)


def expected_assistant_units(
    service: Service,
    units: int,
    policy: ChargePolicy,
    catalog: Catalog,
    discipline: str,
    day: date,
) -> int:
    """How many of a code's ``units`` carry CQ/CO (``domain.assistants``), under ``policy``.

    0 for SLP (no assistant modifier exists), evaluations (never an assistant's) and
    codes of another discipline.
    """
    info = catalog.get(service.code)
    if (
        not policy.assistant_modifier
        or discipline not in ASSISTANT_MODIFIER
        or info is None
        or info.is_evaluation
        or discipline not in info.disciplines
    ):
        return 0
    return assistant_units(
        units,
        service.minutes,
        service.assistant_minutes,
        timed=info.timed and info.unit_minutes == 15 and info.add_on_of is None,
        de_minimis=policy.assistant_de_minimis,
        final_unit_rule=policy.assistant_final_unit or final_unit_rule_on(day),
    )


def build_charges(
    visit: Visit,
    policy: ChargePolicy,
    charge_for: Callable[[str], Money],
    catalog: Catalog,
) -> Charges:
    """Claim lines for one visit under ``policy``; see the module docstring."""
    entries: dict[str, list[Service]] = {}
    for s in visit.services:
        entries.setdefault(s.code, []).append(s)
    merged = {code: _merge_all(group) for code, group in entries.items()}
    result = compute_units(((c, s.minutes) for c, s in merged.items()), policy.unit_method, catalog)
    n_dx = min(len(visit.diagnoses), MAX_POINTERS)
    default_pointers = tuple(range(1, n_dx + 1))
    lines: list[ClaimLine] = []
    dropped: list[str] = []
    for code, exp in result.units.items():
        service = merged.get(code)
        with_mod = 0
        if service is not None:
            with_mod = expected_assistant_units(
                service, exp, policy, catalog, visit.discipline, visit.date_of_service
            )
        parts = _billed_parts(code, entries.get(code, []), exp, with_mod, policy, visit, catalog)
        if not parts:
            dropped.append(code)
            continue
        for modifiers, units, expected in parts:
            lines.append(
                ClaimLine(
                    line_number=len(lines) + 1,
                    date_of_service=visit.date_of_service,
                    code=code,
                    modifiers=modifiers,
                    units=units,
                    expected_units=expected,
                    charge=charge_for(code) * units,
                    dx_pointers=(service.dx_pointers if service and service.dx_pointers else None)
                    or default_pointers,
                    minutes=service.minutes if service else None,
                    assistant_minutes=service.assistant_minutes if service else 0,
                    rendering_npi=visit.billing_provider.npi,
                )
            )
    return Charges(visit.visit_id, result, tuple(lines), tuple(dropped))


Part = tuple[tuple[str, ...], int, int]  # modifiers, billed units, expected units


def _billed_parts(
    code: str,
    group: list[Service],
    expected: int,
    with_mod: int,
    policy: ChargePolicy,
    visit: Visit,
    catalog: Catalog,
) -> list[Part]:
    """The lines of one code: ptrcm's own split, or what the EMR billed.

    Without EMR modifiers ptrcm bills the CQ/CO units and the others on separate lines
    (CMS's CQ/CO billing examples). With them, the EMR's entries are kept in at most two
    lines, those carrying CQ/CO and those without, each checked against ptrcm's count.
    """
    asst_mod = ASSISTANT_MODIFIER.get(visit.discipline)
    if all(s.modifiers is None for s in group):
        billed = [s.units for s in group if s.units is not None]
        units = sum(billed) if billed else expected
        if units <= 0:
            return []
        disc = discipline_modifier_for(code, visit.discipline, catalog)
        base: tuple[str, ...] = (disc,) if policy.discipline_modifier and disc else ()
        if asst_mod is None or with_mod <= 0 or units != expected:
            return [(base, units, expected)]
        split: list[Part] = []
        if expected > with_mod:
            split.append((base, expected - with_mod, expected - with_mod))
        split.append(((*base, asst_mod), with_mod, with_mod))
        return split
    explicit = next(s.modifiers for s in group if s.modifiers is not None)
    classes: dict[bool, list[Service]] = {}
    for s in group:
        mods_s = s.modifiers if s.modifiers is not None else explicit
        classes.setdefault(bool(ASSISTANT_MODIFIERS & {*mods_s}), []).append(
            s if s.modifiers is not None else replace(s, modifiers=explicit)
        )
    if len(classes) == 1:
        members = next(iter(classes.values()))
        billed = [s.units for s in members if s.units is not None]
        units = sum(billed) if billed else expected
        first = members[0].modifiers or ()
        return [(first, units, expected)] if units > 0 else []
    parts: list[Part] = []
    for flag in (True, False):
        members = classes[flag]
        share = with_mod if flag else expected - with_mod
        billed = [s.units for s in members if s.units is not None]
        units = sum(billed) if billed else share
        if units > 0:
            parts.append((members[0].modifiers or (), units, share))
    return parts


def _merge_all(group: list[Service]) -> Service:
    out = group[0]
    for s in group[1:]:
        out = merge_services(out, s)
    return out


def merge_services(a: Service, b: Service) -> Service:
    """Two documented entries of one code on one day become one line."""
    minutes = (
        None if a.minutes is None and b.minutes is None else (a.minutes or 0) + (b.minutes or 0)
    )
    units = None if a.units is None and b.units is None else (a.units or 0) + (b.units or 0)
    return Service(
        code=a.code,
        minutes=minutes,
        assistant_minutes=a.assistant_minutes + b.assistant_minutes,
        units=units,
        modifiers=a.modifiers if a.modifiers is not None else b.modifiers,
        dx_pointers=a.dx_pointers or b.dx_pointers,
    )
