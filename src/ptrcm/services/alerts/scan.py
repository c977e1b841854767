"""One day's scan: run the detectors, record the events that are new, send them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ptrcm.domain.alerts.detect import DayCounts, StoredEvent, Thresholds, detect, new_events
from ptrcm.domain.alerts.settings import Channels, Escalation
from ptrcm.services.alerts.notify import send
from ptrcm.services.alerts.ports import AlertsUnitOfWork


@dataclass(frozen=True, slots=True)
class ScanResult:
    recorded: tuple[StoredEvent, ...]
    failures: tuple[str, ...]  # one line per channel that failed (no patient data)


def scan(
    unit_of_work: Callable[[], AlertsUnitOfWork],
    org: str,
    day: date,
    history: Sequence[DayCounts],
    last_answer: Mapping[str, date],
    now: datetime,
    *,
    thresholds: Thresholds | None = None,
    escalation: Escalation | None = None,
    channels: Channels | None = None,
) -> ScanResult:
    escalation = escalation or Escalation()
    channels = channels or Channels()
    found = detect(history, last_answer, day, thresholds or Thresholds())
    due = now + timedelta(hours=escalation.due_hours)
    recorded: list[StoredEvent] = []
    with unit_of_work() as uow:
        for event in new_events(found, uow.alerts.open_keys()):
            event_id = uow.alerts.add(event, escalation.owner, due)
            if event_id is not None:
                recorded.append(StoredEvent(event_id, event, escalation.owner, due, "open", ()))
        uow.commit()
    failures = []
    for stored in recorded:
        try:
            channels_used = send(stored, org, channels)
        except OSError as exc:
            failures.append(f"event {stored.id}: not sent ({type(exc).__name__}: {exc})"[:200])
            continue
        if channels_used:
            with unit_of_work() as uow:
                uow.alerts.mark_notified(stored.id, channels_used)
                uow.commit()
    return ScanResult(tuple(recorded), tuple(failures))
