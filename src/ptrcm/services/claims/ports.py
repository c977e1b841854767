"""The claims port: what building, scrubbing, releasing and submitting claims
(``ptrcm.services.claims.lifecycle``) use of one transaction.

``ClaimsUnitOfWork`` names the repositories; each is a small ``Protocol`` listing only the
methods the lifecycle calls. ``ptrcm.store.claims_lifecycle`` implements them on SQL without
importing this module (structurally, like ``ptrcm.services.ports`` and
``ptrcm.services.money_in_ports``); the composition root (``ptrcm.bootstrap.Root``) hands
that implementation to the commands, and ``tests/fakes/lifecycle.py`` implements it in
memory for the unit tests.

What crosses the port is domain values: visits (``Visit``), claims as made (``Claim``) and
as stored (``ClaimRecord``, ``ClaimHead``), transitions (``Transition``) and the scrubber's
findings (``Finding``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from ptrcm.domain.claims import Claim
from ptrcm.domain.stored_claims import ClaimHead
from ptrcm.domain.visits import Visit
from ptrcm.rules.engine import Finding
from ptrcm.services.money_in_ports import ClaimStep, StoredClaims
from ptrcm.services.ports import ControlNumberSource, VisitStore

# (claim id, scrub run number, findings): one scrub run of a claim to record.
ScrubRun = tuple[int, int, Sequence[Finding]]


class ClaimRepository(StoredClaims, Protocol):
    """Claims as stored, plus writing new ones and the 837 batches they go out in."""

    def add_claims(
        self, items: Sequence[Claim], *, state: str = "submitted", batch_id: int | None = None
    ) -> dict[str, int]:
        """Store claims as made (version 1 and its lines); claim row id by CLM01. The
        patients and payers they name are created on first sight."""
        ...

    def add_batch(
        self,
        kind: str,
        file_name: str,
        isa: int,
        gs: int,
        st_first: int,
        st_last: int,
        claim_count: int,
        total_charge: Decimal,
    ) -> int:
        """Record an 837 batch with its control numbers (999s are matched by GS/ST)."""
        ...


class ClaimLifecycle(Protocol):
    """Visits waiting to be billed, claims by state, state changes, lines replaced after
    safe fixes, batch links and scrub runs."""

    def unbilled_visits(
        self, through: date | None = None, *, skip_payers: Collection[str] = ()
    ) -> list[Visit]:
        """Visits no claim names yet (no claim has the CLM01 ``claim_id_for`` makes of the
        visit id), on or before ``through`` if given, not billed to ``skip_payers``, in the
        order they were stored; the others are not read."""
        ...

    def unbilled_visit_ids(
        self, through: date | None = None, *, payers: Collection[str] = ()
    ) -> list[str]:
        """The ids of the visits no claim names yet, on or before ``through`` if given,
        billed to ``payers``, in the order they were stored (their records are not read)."""
        ...

    def visits_by_id(self, visit_ids: Iterable[str]) -> dict[str, Visit]: ...

    def visits_of_patients(
        self, patient_ids: Iterable[str], through: date | None = None
    ) -> list[Visit]:
        """Every stored visit of these patients (their history for the scrubber), on or
        before ``through`` if given, in the order they were stored."""
        ...

    def claims_in(self, states: Sequence[str] | None = None) -> list[ClaimHead]:
        """Claims in these states (all when None), by first date of service, then CLM01."""
        ...

    def record_transitions(self, steps: Sequence[ClaimStep]) -> None:
        """Append the transitions (never edit one) and move each claim to its last state."""
        ...

    def record_created(self, claim_ids: Mapping[str, int], state: str, reason: str) -> None:
        """The first history row of new claims (no previous state); ``reason`` may name
        ``{pcn}``."""
        ...

    def replace_lines(self, claim_id: int, version_id: int, claim: Claim) -> None:
        """New lines (and total) for a claim's current version, not yet submitted."""
        ...

    def attach_batch(self, version_ids: Sequence[int], batch_id: int, at: datetime) -> None:
        """These claim versions went out in this batch at ``at``."""
        ...

    def add_scrub_runs(self, results: Sequence[ScrubRun]) -> None: ...

    def scrub_run_counts(self, claim_ids: Iterable[int]) -> dict[int, int]:
        """How many scrub runs each claim has had (claims without one are left out)."""
        ...


class ClaimsUnitOfWork(Protocol):
    """One transaction for one organization and actor: nothing is kept unless ``commit``
    is called before leaving the ``with`` block."""

    @property
    def actor(self) -> str: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def claims(self) -> ClaimRepository: ...

    @property
    def lifecycle(self) -> ClaimLifecycle: ...

    @property
    def visits(self) -> VisitStore: ...

    @property
    def control_numbers(self) -> ControlNumberSource: ...

    def commit(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


ClaimsWork = Callable[[], ClaimsUnitOfWork]
"""A factory of claims units of work: each call, a new transaction."""
