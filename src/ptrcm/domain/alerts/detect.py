"""Detecting systemic denial events from daily counts per payer (docs/alerts.md).

Three detectors, each with a stated test, run for one day at a time on what was known
that day:

* **Reason spike**: for each payer and denial reason (group + CARC), the day's count ``x``
  of answered claims with that reason among the ``n`` claims the payer answered that day
  is tested against the payer's trailing baseline rate ``p0`` (the previous
  ``baseline_days`` days, with one pseudo-denial and two pseudo-claims added so an
  unseen reason has a small, non-zero rate). One-sided exact binomial test
  P(X >= x | n, p0), for the day alone and for the payer's last ``spike_window`` answered
  days together, Bonferroni-corrected over every test of that day (each payer answering
  that day, each reason seen in its window or baseline, both windows).
  An event needs p < alpha / pairs, at least ``min_count`` claims, and a rate at least
  ``min_ratio`` times the baseline (a practical, not only statistical, difference).
* **Payer silence**: no 835 (or 999) from a payer for more than ``silent_business_days``
  business days, when it used to answer (it answered within the baseline window).
* **First-pass drop**: the payer's first-pass rate over the last ``recent_days`` days
  against the baseline days before them, one-sided two-proportion z-test, p below
  ``drop_alpha`` divided by the number of payers (stricter than the spike test: the
  window is re-tested every day), and a fall of at least ``min_drop`` points.

Pure: counts in, events out; the dates are given, never read from a clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from ptrcm.domain.deadlines import is_business_day


class EventKind(StrEnum):
    REASON_SPIKE = "reason_spike"
    PAYER_SILENT = "payer_silent"
    FIRST_PASS_DROP = "first_pass_drop"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"


@dataclass(frozen=True, slots=True)
class Thresholds:
    alpha: float = 0.001
    baseline_days: int = 60
    min_count: int = 3
    spike_window: int = 3
    min_ratio: float = 2.0
    silent_business_days: int = 5
    recent_days: int = 7
    min_drop: float = 0.10
    # The first-pass window overlaps from day to day (each day re-tests 6 of the last 7
    # days), so its test is held to a stricter level than one day's spike test.
    drop_alpha: float = 0.0001
    min_recent_claims: int = 20


@dataclass(frozen=True, slots=True)
class DayCounts:
    """What one payer answered on one day: claims, first-pass claims, and claims per reason.

    ``reasons`` counts claims (not adjustments) carrying the reason, keyed "GROUP-CARC".
    ``claim_ids`` per reason are the evidence an event lists.
    """

    payer: str
    day: date
    claims: int
    first_pass: int
    reasons: Mapping[str, int] = field(default_factory=dict)
    claim_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    payer: str
    day: date
    severity: Severity
    reason: str | None
    summary: str  # plain words, figures only (no patient data)
    p_value: float | None
    evidence: tuple[str, ...]  # claim ids


def binomial_tail(x: int, n: int, p: float) -> float:
    """P(X >= x) for X ~ Binomial(n, p), summed exactly in log space."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * log_p
        + (n - k) * log_q
        for k in range(x, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def normal_tail(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _window(history: Sequence[DayCounts], start: date, end: date) -> list[DayCounts]:
    return [d for d in history if start <= d.day < end]


def _spike_tests(
    history: Sequence[DayCounts], day: date, window: int, t: Thresholds
) -> list[tuple[str, str, int, int, float, tuple[str, ...]]]:
    """(payer, reason, x, n, p0, evidence) over the payer's last ``window`` answered days up
    to ``day``, against the ``baseline_days`` before them."""
    out = []
    for payer in sorted({d.payer for d in history if d.day == day}):
        mine = sorted(
            (d for d in history if d.payer == payer and d.day <= day), key=lambda d: d.day
        )
        recent = mine[-window:]
        if len(recent) < window:
            continue
        start = recent[0].day
        base = [d for d in mine if start - timedelta(days=t.baseline_days) <= d.day < start]
        base_claims = sum(d.claims for d in base)
        n = sum(d.claims for d in recent)
        reasons = {r for d in (*recent, *base) for r in d.reasons}
        for reason in sorted(reasons):
            x = sum(d.reasons.get(reason, 0) for d in recent)
            p0 = (sum(d.reasons.get(reason, 0) for d in base) + 1) / (base_claims + 2)
            ids = tuple(i for d in recent for i in d.claim_ids.get(reason, ()))
            out.append((payer, reason, x, n, p0, ids))
    return out


def reason_spikes(
    history: Sequence[DayCounts], day: date, t: Thresholds = Thresholds()
) -> list[Event]:
    """Spike events of ``day`` (history holds every payer's days, ``day`` included): the
    day alone, and the payer's last ``spike_window`` answered days together (a smaller
    spike that one day cannot show), Bonferroni over every test of both."""
    tests = [
        (window, *test)
        for window in sorted({1, t.spike_window})
        for test in _spike_tests(history, day, window, t)
    ]
    if not tests:
        return []
    cut = t.alpha / len(tests)
    events: dict[tuple[str, str], Event] = {}
    for window, payer, reason, x, n, p0, ids in tests:
        if x < t.min_count or n == 0 or x / n < t.min_ratio * p0 or (payer, reason) in events:
            continue
        p = binomial_tail(x, n, p0)
        if p < cut:
            rate = x / n
            days = "today" if window == 1 else f"over the last {window} days answered"
            events[(payer, reason)] = Event(
                EventKind.REASON_SPIKE, payer, day,
                Severity.HIGH if rate >= 0.2 else Severity.MEDIUM, reason,
                f"{reason} on {x} of {n} claims ({rate:.0%}) {days}, against a baseline of"
                f" {p0:.1%} over {t.baseline_days} days (binomial p = {p:.2g},"
                f" threshold {cut:.2g})",
                p, ids,
            )  # fmt: skip
    return [events[k] for k in sorted(events)]


def business_days_between(first: date, last: date) -> int:
    """Business days after ``first`` up to and including ``last``."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count


def silent_payers(
    last_answer: Mapping[str, date], day: date, t: Thresholds = Thresholds()
) -> list[Event]:
    """Payers whose last 835/999 is more than N business days old (and within the window)."""
    events = []
    for payer, last in sorted(last_answer.items()):
        if last < day - timedelta(days=t.baseline_days):
            continue  # not an active payer any more
        quiet = business_days_between(last, day)
        if quiet > t.silent_business_days:
            events.append(Event(
                EventKind.PAYER_SILENT, payer, day, Severity.HIGH, None,
                f"no 835 or 999 for {quiet} business days (since {last.isoformat()};"
                f" threshold {t.silent_business_days})", None, (),
            ))  # fmt: skip
    return events


def first_pass_drops(
    history: Sequence[DayCounts], day: date, t: Thresholds = Thresholds()
) -> list[Event]:
    recent_start = day - timedelta(days=t.recent_days - 1)
    base_start = recent_start - timedelta(days=t.baseline_days)
    events = []
    payers = sorted({d.payer for d in history})
    for payer in payers:
        mine = [d for d in history if d.payer == payer]
        recent = [d for d in mine if recent_start <= d.day <= day]
        base = [d for d in mine if base_start <= d.day < recent_start]
        n1, n0 = sum(d.claims for d in recent), sum(d.claims for d in base)
        if n1 < t.min_recent_claims or n0 < t.min_recent_claims:
            continue
        p1, p0 = sum(d.first_pass for d in recent) / n1, sum(d.first_pass for d in base) / n0
        pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
        spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        if spread == 0 or p0 - p1 < t.min_drop:
            continue
        p = normal_tail((p0 - p1) / spread)
        if p < t.drop_alpha / len(payers):
            events.append(Event(
                EventKind.FIRST_PASS_DROP, payer, day, Severity.HIGH, None,
                f"first-pass rate {p1:.0%} over the last {t.recent_days} days against {p0:.0%}"
                f" before (z-test p = {p:.2g})", p, (),
            ))  # fmt: skip
    return events


def detect(
    history: Sequence[DayCounts],
    last_answer: Mapping[str, date],
    day: date,
    t: Thresholds = Thresholds(),
) -> list[Event]:
    """Every event of ``day``."""
    return [
        *reason_spikes(history, day, t),
        *silent_payers(last_answer, day, t),
        *first_pass_drops(history, day, t),
    ]


def new_events(found: Iterable[Event], open_keys: set[tuple[str, str, str | None]]) -> list[Event]:
    """Events not already open: one open event per kind, payer and reason; and a payer's
    first-pass drop is not raised while a reason spike of that payer is open (the spike is
    its cause, and the spike's event already names the claims)."""
    out = []
    for event in sorted(found, key=lambda e: e.kind != EventKind.REASON_SPIKE):
        key = (str(event.kind), event.payer, event.reason)
        spiking = any(k[0] == EventKind.REASON_SPIKE and k[1] == event.payer for k in open_keys)
        if key in open_keys or (event.kind is EventKind.FIRST_PASS_DROP and spiking):
            continue
        open_keys.add(key)
        out.append(event)
    return out


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as recorded, with its escalation: who owns it and by when it is due."""

    id: int
    event: Event
    owner: str
    due_at: datetime
    status: str  # open | acknowledged | closed
    notified: tuple[str, ...]
