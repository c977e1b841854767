"""Charge building: a visit becomes claim lines for a payer.

Units come from the payer's method (``units.compute_units``); what the EMR billed is kept
as the line's ``units`` (checked by the scrubber, never trusted), and ptrcm's own count is
``expected_units``. When the EMR gave no units or modifiers, ptrcm supplies them: the
discipline modifier GP/GO/GN on therapy codes, and CQ/CO when an assistant furnished more
than the de minimis share of the service's minutes (reference §3). One line per code per
date of service. A line that would carry zero units is not billed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.codes import Catalog
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod, UnitResult, compute_units
from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER, Service, Visit

MAX_POINTERS = 4


@dataclass(frozen=True, slots=True)
class ChargePolicy:
    """The payer parameters charge building needs (from config and rule packs)."""

    unit_method: UnitMethod
    discipline_modifier: bool = True
    assistant_modifier: bool = True
    assistant_de_minimis: Decimal = Decimal("0.10")


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
    if not service.assistant_minutes or not service.minutes:
        return False
    return Decimal(service.assistant_minutes) > de_minimis * service.minutes


def build_charges(
    visit: Visit,
    policy: ChargePolicy,
    charge_for: Callable[[str], Money],
    catalog: Catalog,
) -> Charges:
    """Claim lines for one visit under ``policy``; see the module docstring."""
    merged: dict[str, Service] = {}
    for s in visit.services:
        prev = merged.get(s.code)
        merged[s.code] = s if prev is None else merge_services(prev, s)
    result = compute_units(((c, s.minutes) for c, s in merged.items()), policy.unit_method, catalog)
    expected: Mapping[str, int] = result.units
    n_dx = min(len(visit.diagnoses), MAX_POINTERS)
    default_pointers = tuple(range(1, n_dx + 1))
    disc_mod = DISCIPLINE_MODIFIER.get(visit.discipline)
    asst_mod = ASSISTANT_MODIFIER.get(visit.discipline)
    lines: list[ClaimLine] = []
    dropped: list[str] = []
    for code, exp in expected.items():
        service = merged.get(code)
        billed = service.units if service is not None else None
        units = exp if billed is None else billed
        if units == 0:
            dropped.append(code)
            continue
        if service is not None and service.modifiers is not None:
            modifiers = service.modifiers
        else:
            info = catalog.get(code)
            mods: list[str] = []
            if policy.discipline_modifier and disc_mod and info is not None and info.disciplines:
                mods.append(disc_mod)
            if (
                policy.assistant_modifier
                and asst_mod
                and service is not None
                and assistant_share_exceeds(service, policy.assistant_de_minimis)
            ):
                mods.append(asst_mod)
            modifiers = tuple(mods)
        lines.append(
            ClaimLine(
                line_number=len(lines) + 1,
                date_of_service=visit.date_of_service,
                code=code,
                modifiers=modifiers,
                units=units,
                expected_units=exp,
                charge=charge_for(code) * units,
                dx_pointers=(service.dx_pointers if service and service.dx_pointers else None)
                or default_pointers,
                minutes=service.minutes if service else None,
                assistant_minutes=service.assistant_minutes if service else 0,
                rendering_npi=visit.rendering.npi,
            )
        )
    return Charges(visit.visit_id, result, tuple(lines), tuple(dropped))


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
