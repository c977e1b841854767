"""Charge lines for a visit under its payer's ``PayerPolicy``: the lines a claim carries.

``charges_under`` is the one place a visit's documented services become billed lines:
units by the policy's method, GP/GO/GN and CQ/CO by its charge policy
(``domain.charges.build_charges``), then the payer's telehealth modifier on a telehealth
visit. The claim builder and the scrubber both use it, so the scrubber checks the lines
that are billed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ptrcm.config import Config
from ptrcm.domain.charges import Charges, build_charges
from ptrcm.domain.codes import Catalog
from ptrcm.domain.money import Money
from ptrcm.domain.policy import PayerPolicy
from ptrcm.domain.visits import Visit
from ptrcm.rules.policy import policy_book


def charges_under(
    visit: Visit, policy: PayerPolicy, charge_for: Callable[[str], Money], catalog: Catalog
) -> Charges:
    """The visit's billed lines under ``policy`` (see the module docstring)."""
    charges = build_charges(visit, policy.charges, charge_for, catalog)
    if not policy.telehealth.applies(visit):
        return charges
    lines = tuple(
        replace(line, modifiers=policy.telehealth.line_modifiers(line.modifiers))
        for line in charges.lines
    )
    return replace(charges, lines=lines)


def charge_visit(visit: Visit, config: Config, catalog: Catalog) -> Charges:
    """One visit's charges under its payer's policy (``InputError`` for an unknown payer).

    The config's ``PolicyBook`` is built once (``rules.policy.policy_book``).
    """
    policy = policy_book(config).policy_for(visit)
    return charges_under(visit, policy, config.charge_for, catalog)
