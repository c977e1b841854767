"""Payer policy resolved in one place: ``ptrcm.toml`` + the pack version in force.

``PolicyBook`` is built once from the configuration (and, for tests, other packs) and
answers ``policy_for(visit)``: the visit's payer's ``PayerPolicy`` on its date of
service. The unit method follows the payer's pack (with the payer's ``ptrcm.toml``
overrides over it) and, when a secondary payer counts units differently, the practice's
``billing.unit_method_conflict`` setting (reference §1.2). Modifier, telehealth, filing
and cap parameters come from the same pack version, so the claim builder and the scrubber
cannot disagree about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.charges import ChargePolicy, resolve_unit_method
from ptrcm.domain.policy import PayerPolicy, TelehealthPolicy
from ptrcm.domain.units import UnitMethod
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.rules.engine import Pack
from ptrcm.rules.packs import PackBook, PackSeries


def policy_from_params(payer_id: str, payer_class: str, label: str,
                       params: Mapping[str, Any], method: UnitMethod) -> PayerPolicy:  # fmt: skip
    """The policy a pack version's parameters state (``method`` already resolved)."""
    thresholds = {
        int(r["year"]): Decimal(str(r["amount"])) for r in params.get("kx_thresholds", ())
    }
    limit = params.get("visit_limit_per_year")
    return PayerPolicy(
        payer_id=payer_id,
        payer_class=payer_class,
        pack=label,
        charges=ChargePolicy(
            unit_method=method,
            discipline_modifier=bool(params.get("discipline_modifier_required", True)),
            assistant_modifier=bool(params.get("assistant_modifier_required", False)),
            assistant_de_minimis=Decimal(params.get("assistant_de_minimis", Decimal("0.10"))),
        ),
        telehealth=TelehealthPolicy(
            places=frozenset(params.get("telehealth_pos", ("02", "10"))),
            modifiers=tuple(params.get("telehealth_modifiers", ("95",))),
            required=bool(params.get("telehealth_modifier_required", False)),
        ),
        timely_filing_days=int(params.get("timely_filing_days", 365)),
        filing_warn_days=int(params.get("filing_warn_days", 30)),
        auth_required=bool(params.get("auth_required", False)),
        visit_limit_per_year=None if limit is None else int(limit),
        kx_applies=bool(params.get("kx_applies", False)),
        kx_thresholds=thresholds,
    )


class PolicyBook:
    """Every payer's policy by date of service; build once per process (cached)."""

    def __init__(self, config: Config, packs: Mapping[str, PackSeries] | None = None) -> None:
        self.config = config
        self.packs = PackBook(config.payers, config.source, packs)
        self._cache: dict[tuple[str, str, str | None], PayerPolicy] = {}

    def pack_for(self, payer_id: str, day: date) -> Pack:
        """The payer's pack version in force on ``day``, with its ``ptrcm.toml`` overrides."""
        return self.packs.for_visit(payer_id, day)

    def _method(self, payer_id: str, day: date) -> UnitMethod:
        payer = self.config.payers[payer_id]
        return UnitMethod(
            self.pack_for(payer_id, day).param("unit_method", payer.unit_method.value)
        )

    def policy(self, payer_id: str, day: date, secondary_id: str | None = None) -> PayerPolicy:
        """``payer_id``'s policy on ``day``; ``secondary_id`` names the visit's secondary
        payer, whose unit method may decide the visit's (``unit_method_conflict``)."""
        payer = self.config.payer(payer_id)
        if payer is None:
            raise InputError.one(
                self.config.source, None, f"payers.{payer_id}",
                f"payer {payer_id!r} is not defined in the config",
            )  # fmt: skip
        pack = self.pack_for(payer_id, day)
        if secondary_id is not None and self.config.payer(secondary_id) is None:
            secondary_id = None
        key = (payer_id, pack.version, secondary_id)
        found = self._cache.get(key)
        if found is None:
            other = None if secondary_id is None else self._method(secondary_id, day)
            method = resolve_unit_method(
                self._method(payer_id, day), other, self.config.unit_method_conflict
            )
            found = policy_from_params(payer_id, payer.payer_class, pack.label, pack.params, method)
            self._cache[key] = found
        return found

    def policy_for(self, visit: Visit) -> PayerPolicy:
        """The visit's payer's policy on its date of service (``InputError`` naming the
        visit when its payer is not configured)."""
        if self.config.payer(visit.payer_id) is None:
            raise InputError.one(
                self.config.source, None, f"payers.{visit.payer_id}",
                f"visit {visit.visit_id} names payer {visit.payer_id!r}, not defined in the"
                " config",
            )  # fmt: skip
        secondary = visit.secondary.payer_id if visit.secondary is not None else None
        return self.policy(visit.payer_id, visit.date_of_service, secondary)


_BOOKS: list[tuple[Config, PolicyBook]] = []
_BOOKS_KEPT = 4


def policy_book(config: Config) -> PolicyBook:
    """The ``PolicyBook`` of ``config`` (the same object), built once: for callers that
    resolve one visit at a time. The built-in packs only; a few configs are kept."""
    for known, book in _BOOKS:
        if known is config:
            return book
    book = PolicyBook(config)
    _BOOKS.insert(0, (config, book))
    del _BOOKS[_BOOKS_KEPT:]
    return book
