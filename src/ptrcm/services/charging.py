"""Charge building wired to configuration: payer method, conflict policy, charge master."""

from __future__ import annotations

from ptrcm.config import Config
from ptrcm.domain.charges import ChargePolicy, Charges, build_charges, resolve_unit_method
from ptrcm.domain.codes import Catalog
from ptrcm.domain.units import UnitMethod
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError


def policy_for(visit: Visit, config: Config) -> ChargePolicy:
    payer = config.payer(visit.payer_id)
    if payer is None:
        raise InputError.one(
            config.source,
            None,
            f"payers.{visit.payer_id}",
            f"visit {visit.visit_id} names payer {visit.payer_id!r}, not defined in the config",
        )
    secondary: UnitMethod | None = None
    if visit.secondary is not None:
        sec = config.payer(visit.secondary.payer_id)
        secondary = sec.unit_method if sec else None
    method = resolve_unit_method(payer.unit_method, secondary, config.unit_method_conflict)
    return ChargePolicy(unit_method=method)


def charge_visit(visit: Visit, config: Config, catalog: Catalog) -> Charges:
    return build_charges(visit, policy_for(visit, config), config.charge_for, catalog)
