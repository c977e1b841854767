"""A payer's billing policy on one date of service, as one frozen value.

``PayerPolicy`` is what every step that bills a visit needs to know about its payer: how
units are counted, which modifiers the charge lines carry (GP/GO/GN, CQ/CO and the
assistant's de minimis share), how a telehealth visit is billed, the filing limit and the
caps. It is resolved once from ``ptrcm.toml`` and the payer's rule-pack version in force
on the date of service (``rules.policy.PolicyBook``); the claim builder, the scrubber, the
837 writer, expected payment and the payer simulator read this value instead of deciding
for themselves, so what is scrubbed is what is billed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ptrcm.domain.charges import ChargePolicy
from ptrcm.domain.visits import Visit

# Modifiers that mark a service as furnished by telecommunication, whatever the payer:
# 95 (synchronous audio-video), GT (interactive telecommunication), GQ (asynchronous),
# FQ (audio only), 93 (audio only, CPT). A line carrying one already is not given another.
TELEHEALTH_MARKERS = frozenset({"95", "GT", "GQ", "FQ", "93"})
MAX_LINE_MODIFIERS = 4  # 837P SV101-3..6 / CMS-1500 item 24D


@dataclass(frozen=True, slots=True)
class TelehealthPolicy:
    """How the payer recognises and bills a telehealth visit (pack ``telehealth_*``).

    ``places`` are the places of service that mean telehealth (02, 10); ``modifiers`` are
    the telehealth modifiers the payer accepts, the first being the one ptrcm adds to a
    telehealth line; ``required`` makes a line without one a scrub error (M007).
    """

    places: frozenset[str] = frozenset({"02", "10"})
    modifiers: tuple[str, ...] = ("95",)
    required: bool = False

    def applies(self, visit: Visit) -> bool:
        """A telehealth visit: a telehealth place of service or ``"telehealth": true``."""
        return visit.place_of_service in self.places or visit.extra.get("telehealth") is True

    @property
    def modifier(self) -> str | None:
        """The modifier a telehealth line is given, or None when the payer lists none."""
        return self.modifiers[0] if self.modifiers else None

    def line_modifiers(self, modifiers: tuple[str, ...]) -> tuple[str, ...]:
        """A telehealth line's modifiers: the payer's modifier added unless the line has a
        telehealth modifier already or no room is left."""
        wanted = self.modifier
        marked = (TELEHEALTH_MARKERS | set(self.modifiers)) & set(modifiers)
        if wanted is None or marked or len(modifiers) >= MAX_LINE_MODIFIERS:
            return modifiers
        return (*modifiers, wanted)


@dataclass(frozen=True, slots=True)
class PayerPolicy:
    """One payer's policy on one date of service (see the module docstring).

    ``pack`` is the rule-pack label (name@version) the policy was resolved from, so a
    claim or a finding can say which policy it followed.
    """

    payer_id: str
    payer_class: str
    pack: str
    charges: ChargePolicy
    telehealth: TelehealthPolicy = field(default_factory=TelehealthPolicy)
    timely_filing_days: int = 365
    filing_warn_days: int = 30
    auth_required: bool = False
    visit_limit_per_year: int | None = None
    kx_applies: bool = False
    kx_thresholds: Mapping[int, Decimal] = field(default_factory=dict)

    def kx_threshold(self, year: int) -> Decimal | None:
        """The KX threshold of a calendar year (None when KX does not apply or is unknown)."""
        return self.kx_thresholds.get(year) if self.kx_applies else None
