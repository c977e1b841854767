"""What the alerts service needs from the store, one organization per unit of work
(implemented by ``ptrcm.store.alerts_repo``; tests may fake it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ptrcm.domain.alerts.detect import Event, StoredEvent
from ptrcm.services.ports import Transaction


class AlertStore(Protocol):
    def open_keys(self) -> set[tuple[str, str, str | None]]:
        """(kind, payer, reason) of every event not closed."""
        ...

    def add(self, event: Event, owner: str, due_at: datetime) -> int | None:
        """Record an event; None when the same event of that day is already recorded."""
        ...

    def mark_notified(self, event_id: int, channels: tuple[str, ...]) -> None: ...

    def events(self, status: str | None = None) -> list[StoredEvent]: ...

    def set_status(self, event_id: int, status: str, owner: str | None) -> bool: ...


class AlertsUnitOfWork(Transaction, Protocol):
    @property
    def alerts(self) -> AlertStore: ...


AlertsWork = Callable[[], AlertsUnitOfWork]
