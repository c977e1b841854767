"""The work port: what the queue and closure services use of one transaction.

It is the money-in unit of work (``ptrcm.services.money_in_ports``) plus the work log
(each item's history and its versioned changes), write-offs, appeals that are marked sent,
and new claims (a correction or a void is a new claim naming the one it replaces).
``ptrcm.store.money_in_uow`` implements it on SQL, structurally.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from ptrcm.domain.claims import Claim
from ptrcm.services.money_in_ports import Appeals, MoneyInUnitOfWork, StoredClaims
from ptrcm.services.ports import Row


class WorkLogStore(Protocol):
    def get(self, item_id: int) -> Row | None:
        """The item as ``WorkItems.items`` lists it, plus ``version``, ``follow_up_on``,
        ``assigned_membership_id``."""
        ...

    def for_claim(self, claim_id: int) -> list[Row]: ...

    def history(self, item_id: int) -> list[Row]:
        """Its events, oldest first: ``actor``, ``event``, ``note``, ``detail``,
        ``occurred_at``."""
        ...

    def change(
        self,
        item_id: int,
        seen_version: int,
        values: Mapping[str, Any],
        event: str,
        note: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """Apply ``values`` (assignee, state, follow-up date) if the item is still at
        ``seen_version``, record the event and an audit row; the new version.
        ``ConflictError`` when it was changed since."""
        ...

    def membership_of(self, username: str) -> int | None: ...

    def member_names(self, membership_ids: Sequence[int]) -> dict[int, str]: ...


class WriteOffStore(Protocol):
    def request(
        self, claim_id: int, amount: Decimal, category: str, reason: str, on: date
    ) -> int: ...

    def decide(self, write_off_id: int, state: str) -> None:
        """Approve or refuse a pending write-off; ``ConflictError`` if it is not pending."""
        ...

    def get(self, write_off_id: int) -> Row | None: ...

    def for_claim(self, claim_id: int) -> list[Row]: ...


class SentAppeals(Appeals, Protocol):
    def mark_sent(self, appeal_id: int, on: date, method: str, letter: str | None) -> None:
        """The appeal went out on ``on`` by ``method`` (the letter as sent, if edited)."""
        ...


class NewClaims(StoredClaims, Protocol):
    def add_claims(
        self,
        items: Sequence[Claim],
        *,
        state: str = "submitted",
        batch_id: int | None = None,
        notes: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, int]:
        """Store claims as made; ``notes[pcn]`` is kept in the version's document."""
        ...

    def record_created(self, claim_ids: Mapping[str, int], state: str, reason: str) -> None:
        """The first history row of new claims (``reason`` may name ``{pcn}``)."""
        ...


class WorkUnitOfWork(MoneyInUnitOfWork, Protocol):
    @property
    def worklog(self) -> WorkLogStore: ...

    @property
    def write_offs(self) -> WriteOffStore: ...

    @property
    def appeals(self) -> SentAppeals: ...

    @property
    def claims(self) -> NewClaims: ...


WorkFlow = Callable[[], WorkUnitOfWork]
"""A factory of work units of work: each call, a new transaction."""
