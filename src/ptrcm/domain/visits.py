"""Value types of the visit interchange format (ARCHITECTURE §3.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain.documentation import Documentation

CREDENTIALS = frozenset({"PT", "PTA", "OT", "OTA", "SLP", "SLPA", "MD", "DO", "NP", "PA", "DC"})
ASSISTANT_CREDENTIALS = frozenset({"PTA", "OTA", "SLPA"})
DISCIPLINE_OF_CREDENTIAL = {
    "PT": "PT", "PTA": "PT", "OT": "OT", "OTA": "OT", "SLP": "SLP", "SLPA": "SLP",
}  # fmt: skip
DISCIPLINE_MODIFIER = {"PT": "GP", "OT": "GO", "SLP": "GN"}
ASSISTANT_MODIFIER = {"PT": "CQ", "OT": "CO"}  # no SLP-assistant modifier exists
RELATIONSHIPS = frozenset({"self", "spouse", "child", "other"})


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date | None = None
    sex: str = "U"
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    relationship: str
    person: Person


@dataclass(frozen=True, slots=True)
class Provider:
    credential: str
    npi: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Referring:
    npi: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class Service:
    """One documented service. ``units``/``modifiers`` are what the EMR billed, if given."""

    code: str
    minutes: int | None = None
    assistant_minutes: int = 0
    units: int | None = None
    modifiers: tuple[str, ...] | None = None
    dx_pointers: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class PlanOfCare:
    start: date
    certified_on: date | None = None
    through: date | None = None


@dataclass(frozen=True, slots=True)
class Authorization:
    number: str | None
    visits_authorized: int | None = None
    visits_used: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Benefits:
    visit_limit: int | None = None
    visits_used: int | None = None
    plan_year_start: date | None = None


@dataclass(frozen=True, slots=True)
class CoverageStatus:
    active: bool
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class SecondaryCoverage:
    payer_id: str
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """One date of service for one patient, discipline and rendering provider."""

    visit_id: str
    patient_id: str
    date_of_service: date
    payer_id: str
    discipline: str
    rendering: Provider
    services: tuple[Service, ...]
    diagnoses: tuple[str, ...] = ()
    member_id: str | None = None
    place_of_service: str | None = None
    location_id: str | None = None
    total_timed_minutes: int | None = None
    total_treatment_minutes: int | None = None
    plan_of_care: PlanOfCare | None = None
    episode_visit_number: int | None = None
    last_progress_report_visit: int | None = None
    authorization: Authorization | None = None
    patient: Person | None = None
    subscriber: Subscriber | None = None
    secondary: SecondaryCoverage | None = None
    referring: Referring | None = None
    onset_date: date | None = None
    kx_ytd_allowed: Decimal | None = None
    benefits: Benefits | None = None
    eligibility_verified_on: date | None = None
    coverage: CoverageStatus | None = None
    # The therapist supervising an assistant (PTA/OTA) who furnished the visit.
    supervising: Provider | None = None
    # What was documented (evaluation, plan of care, progress report, daily note).
    documentation: Documentation | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def discipline_modifier(self) -> str:
        return DISCIPLINE_MODIFIER[self.discipline]

    @property
    def by_assistant(self) -> bool:
        """The visit's rendering provider is a therapy assistant (PTA, OTA, SLPA)."""
        return self.rendering.credential in ASSISTANT_CREDENTIALS

    @property
    def billing_provider(self) -> Provider:
        """The provider the claim names as rendering.

        An assistant's services are billed under the supervising therapist (MBPM Pub
        100-02 ch. 15 §230.1): the supervising therapist when the visit names one, else
        the rendering provider (the scrubber and claim builder report an assistant
        without a supervising therapist).
        """
        if self.by_assistant and self.supervising is not None:
            return self.supervising
        return self.rendering
