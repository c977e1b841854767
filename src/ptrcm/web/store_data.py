"""The web ports of ``ptrcm.web.ports`` over the store, through the KPI engine.

Every figure comes from the same ``ptrcm.analytics`` functions as ``ptrcm report kpis``, so
the dashboard and ``--format json`` agree for the same period. ``StoreWebData`` is what
``create_app`` holds: one store, and every provider for the organization (and, for a
therapist, the rendering provider) a request's principal is scoped to.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from ptrcm.analytics import activity, claims_kpis, queues, revenue, review, scheduling, sla
from ptrcm.analytics.claim_history import claim_history
from ptrcm.analytics.filters import KpiFilters, Scope
from ptrcm.analytics.report import organization_timezone
from ptrcm.analytics.review_render import render_pdf
from ptrcm.analytics.shared_figures import SharedFigures
from ptrcm.config import Config, load_config
from ptrcm.domain.targets import Direction, attainment, levels_with, targets_with
from ptrcm.store.data_version import data_version
from ptrcm.store.repository import Store
from ptrcm.web import ports as p
from ptrcm.web.deps import WebSettings
from ptrcm.web.read_cache import CachedReads, ReadCache, request_figures
from ptrcm.web.store_claims import claim_detail, queue_item, queue_items
from ptrcm.web.store_claims_list import ClaimLists
from ptrcm.web.store_front_desk import StoreFrontDesk
from ptrcm.web.tenant import Organization

ZERO = Decimal("0.00")


def _filters(period: p.Period, **narrow: str | None) -> KpiFilters:
    return KpiFilters(period.start, period.end, **narrow)


def _month_ends(period: p.Period) -> list[date]:
    ends, day = [], period.start
    while day <= period.end:
        nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        ends.append(min(nxt - timedelta(days=1), period.end))
        day = nxt
    return ends


def _per(amount: int, per: int) -> Decimal | None:
    """``amount / per`` to one place; ``None`` (shown "—") when ``per`` is zero."""
    return (Decimal(amount) / per).quantize(Decimal("0.1")) if per else None


class StoreData(ClaimLists):
    """The read providers at once, for one organization of one store (``org``: looked up
    by slug, or an id already known). With ``provider`` (a therapist's scope) a claim is
    found only when that provider rendered its visit; ``NO_PROVIDER`` finds none."""

    def __init__(
        self,
        store: Store,
        org: Organization | int,
        today: Callable[[], date] = date.today,
        provider: int | None = None,
        config: Config | None = None,
    ) -> None:
        known = org if isinstance(org, Organization) else Organization(store, "", org)
        self.store, self.org, self.today, self.provider = store, known, today, provider
        self.config = config

    @contextmanager
    def _scope(self) -> Iterator[Scope]:
        org_id = self.org.id()
        with self.store.connect(org_id) as conn:  # row-level security: this org's rows only
            yield Scope(conn, org_id)

    # status
    def has_data(self) -> bool:
        with self._scope() as scope:
            return activity.has_activity(scope)

    def close(self) -> None:
        self.store.close()

    # dashboard: the reads of one request share their figures (``request_figures``)
    def _tiles(
        self, scope: Scope, period: p.Period, figures: SharedFigures
    ) -> dict[str, Decimal | None]:
        f = _filters(period)
        rows = figures.net_revenue_per_visit(scope, f)
        return {
            "clean_claim_rate": figures.clean_claim_rate(scope, f).rate,
            "first_pass_rate": figures.first_pass_rate(scope, f).rate,
            "denial_rate": figures.initial_denial_rate(scope, f).claims.rate,
            "net_collection_rate": figures.net_collection_rate(scope, f).ratio.rate,
            "days_in_ar": figures.days_in_ar(scope, f, period.end).days,
            "cash_collected": sum(figures.cash_by_day(scope, f).values(), ZERO),
            "visits": Decimal(sum(r.visits for r in rows)),
            "net_revenue_per_visit": revenue.total_net_revenue_per_visit(rows),
        }

    def kpi_tiles(self, period: p.Period) -> Sequence[p.KpiTile]:
        labels = (
            ("clean_claim_rate", "Clean-claim rate", p.Unit.percent, True),
            ("first_pass_rate", "First-pass payment rate", p.Unit.percent, True),
            ("denial_rate", "Initial denial rate", p.Unit.percent, False),
            ("net_collection_rate", "Net collection rate", p.Unit.percent, True),
            ("days_in_ar", "Days in A/R", p.Unit.days, False),
            ("cash_collected", "Cash collected", p.Unit.money, True),
            ("visits", "Visits", p.Unit.number, True),
            ("net_revenue_per_visit", "Net revenue per visit", p.Unit.money, True),
        )
        figures, before = request_figures(), period.previous()
        with self._scope() as scope:
            figures.aging_on(scope, _filters(period), [period.end, before.end])  # one pass
            now, then = self._tiles(scope, period, figures), self._tiles(scope, before, figures)
        return [
            p.KpiTile(key, label, now[key], then[key], unit, up) for key, label, unit, up in labels
        ]

    def goals(self, period: p.Period) -> p.Goals:
        """Targets and service levels from ``[targets]``/``[sla]`` (the organization's own
        over the shared ones), the figures from the review pack's functions."""
        config = self.config or load_config()
        slug = self.store.organization_slug(self.org.id()) or ""
        targets = targets_with(config.targets_for(slug))
        levels = levels_with(config.sla)
        start = config.engagement_start
        f, figures = _filters(period), request_figures()
        with self._scope() as scope:
            now = review.target_figures(scope, f, figures)
            first = None
            if start is not None and start <= period.end:
                month = KpiFilters(*review.month_bounds(start))
                first = review.target_figures(scope, month, figures)
            measured = {
                "charge_entry": sla.charge_lag(scope, f),
                "claim_submission": sla.submission_lag(scope, f),
                "denial_follow_up": sla.denial_follow_up(scope, f),
                "patient_inquiry": sla.patient_inquiry(scope, f),
            }
        units = {"days_in_ar": p.Unit.days}
        return p.Goals(
            [
                p.TargetStatus(t.kpi, t.label, now[t.kpi], t.value,
                               t.direction is Direction.AT_LEAST, str(t.standing(now[t.kpi])),
                               None if first is None else first[t.kpi],
                               units.get(t.kpi, p.Unit.percent))
                for t in targets
            ],
            [
                p.ServiceLevelStatus(level.name, level.label, level.days,
                                     measured[level.name].count,
                                     attainment(measured[level.name].histogram, level.days))
                for level in levels
            ],
            start,
        )  # fmt: skip

    def review_pdf(self, month: date) -> bytes:
        config = self.config or load_config()
        slug = self.store.organization_slug(self.org.id()) or ""
        with self._scope() as scope:
            pack = review.review_pack(
                scope, slug, month, targets=config.targets_for(slug), slas=config.sla,
                engagement_start=config.engagement_start,
                costs={key: money.amount for key, money in config.costs.items()},
            )  # fmt: skip
        out = io.BytesIO()
        render_pdf(pack, out)
        return out.getvalue()

    def ar_aging(self, as_of: date) -> Sequence[p.AgingRow]:
        with self._scope() as scope:
            rows = request_figures().aging(scope, KpiFilters(as_of, as_of), as_of)
        return [p.AgingRow(r.payer_class, *r.buckets) for r in rows]

    def denial_reasons(self, period: p.Period) -> Sequence[p.DenialReason]:
        with self._scope() as scope:
            rows = claims_kpis.denial_reasons(scope, _filters(period))
        top = claims_kpis.top_denial_reasons(rows, by="count", limit=10)
        return [p.DenialReason(r.carc, r.description, r.count, r.amount) for r in top]

    def first_pass_trend(self, period: p.Period) -> Sequence[p.RatePoint]:
        with self._scope() as scope:  # the tiles' read of the period's first adjudications
            days = request_figures().first_pass_by_day(scope, _filters(period))
        months: dict[date, list[int]] = {}
        for d in days:
            acc = months.setdefault(d.day.replace(day=1), [0, 0])
            acc[0], acc[1] = acc[0] + d.first_pass, acc[1] + d.adjudicated
        return [
            p.RatePoint(m, claims_kpis.ratio(ok, n).rate or Decimal(0))
            for m, (ok, n) in sorted(months.items())
        ]

    def cash_and_visits(self, period: p.Period) -> Sequence[p.CashWeek]:
        with self._scope() as scope:
            cash = request_figures().cash_by_day(scope, _filters(period))
            seen = activity.visits_by_day(scope, _filters(period))
        weeks: dict[date, tuple[Decimal, int]] = {}
        day = period.start
        while day <= period.end:
            monday = day - timedelta(days=day.weekday())
            c, v = weeks.get(monday, (ZERO, 0))
            weeks[monday] = (c + cash.get(day, ZERO), v + seen.get(day, 0))
            day += timedelta(days=1)
        return [p.CashWeek(w, c, v) for w, (c, v) in sorted(weeks.items())]

    def days_in_ar_trend(self, period: p.Period) -> Sequence[p.DaysInArPoint]:
        f, ends, figures = _filters(period), _month_ends(period), request_figures()
        with self._scope() as scope:
            figures.aging_on(scope, f, ends)  # one pass for every month end not known yet
            points = [(end, figures.days_in_ar(scope, f, end).days) for end in ends]
        # A month with no charges has no figure; a month whose A/R is all collected is 0.
        return [
            p.DaysInArPoint(end.replace(day=1), days) for end, days in points if days is not None
        ]

    # work queues and claims
    def queue(
        self,
        name: p.QueueName,
        offset: int = 0,
        limit: int | None = None,
        sort: str | None = None,
        descending: bool = False,
    ) -> Sequence[p.QueueItem]:
        order = None if sort is None else queues.QueueSort(sort, descending)
        with self._scope() as scope:
            return queue_items(scope, name, self.today(), offset, limit, order)

    def queue_totals(self, name: p.QueueName) -> p.QueueTotals:
        with self._scope() as scope:
            found = queues.queue_totals(scope, name.value)
        return p.QueueTotals(found.items, found.amount)

    def queue_stream(self, name: p.QueueName, chunk: int = 500) -> Iterator[p.QueueItem]:
        """One short read per chunk, so no connection is held while the export is sent."""
        offset, today = 0, self.today()
        while True:
            with self._scope() as scope:
                rows = queues.queue_rows(scope, name.value, offset, chunk)
            yield from (queue_item(r, today) for r in rows)
            if len(rows) < chunk:
                return
            offset += chunk

    def claim(self, claim_id: str) -> p.ClaimDetail | None:
        with self._scope() as scope:
            history = claim_history(scope, claim_id)
        if history is None:
            return None
        if self.provider is not None and (
            history.visit is None or history.visit["provider_id"] != self.provider
        ):
            return None  # another therapist's patient reads as absent
        return claim_detail(history)

    # payers, therapists, scheduling
    def net_revenue(self, period: p.Period) -> Sequence[p.PayerRevenue]:
        with self._scope() as scope:
            rows = revenue.net_revenue_per_visit(scope, _filters(period))
        merged: dict[tuple[str, str], tuple[int, Decimal]] = {}
        for r in rows:
            n, amount = merged.get((r.payer, r.payer_class), (0, ZERO))
            merged[(r.payer, r.payer_class)] = (n + r.visits, amount + r.net_revenue)
        return [
            p.PayerRevenue(payer, cls, n, amount, (amount / n).quantize(Decimal("0.01")))
            for (payer, cls), (n, amount) in sorted(merged.items())
            if n
        ]

    def underpayments(self, period: p.Period) -> Sequence[p.Underpayment]:
        with self._scope() as scope:
            rows = revenue.underpayments_by_payer_code(scope, _filters(period))
        return [
            p.Underpayment(r.payer, r.code, r.lines, r.expected, r.actual, r.short) for r in rows
        ]

    def eval_mix(self, period: p.Period) -> Sequence[p.EvalMix]:
        with self._scope() as scope:
            rows = revenue.eval_mix(scope, _filters(period))
        z = Decimal(0)
        return [
            p.EvalMix(
                r.name or r.therapist,
                r.discipline,
                r.evaluations,
                r.shares["low"] or z,
                r.shares["moderate"] or z,
                r.shares["high"] or z,
                r.shares["reeval"] or z,
                r.peer_high,
                r.outlier,
            )
            for r in rows
        ]

    def productivity(self, period: p.Period) -> Sequence[p.Productivity]:
        with self._scope() as scope:
            rows = activity.productivity(scope, _filters(period))
        return [
            p.Productivity(
                r.therapist,
                r.visits,
                _per(r.units, r.visits),
                _per(r.minutes, r.units),
            )
            for r in rows
        ]

    def _attendance(self, period: p.Period, **narrow: str | None) -> scheduling.AttendanceReport:
        with self._scope() as scope:
            f = _filters(period, **narrow)
            per_visit = revenue.total_net_revenue_per_visit(revenue.net_revenue_per_visit(scope, f))
            return scheduling.attendance(scope, f, organization_timezone(scope), per_visit)

    def attendance(
        self, period: p.Period, location_id: str | None, therapist: str | None
    ) -> Sequence[p.AttendanceCell]:
        report = self._attendance(period, location=location_id, therapist=therapist)
        return [
            p.AttendanceCell(day, hour, due, ns, lc)
            for (day, hour), (due, ns, lc) in sorted(report.cells.items())
        ]

    def leakage(self, period: p.Period) -> Sequence[p.Leakage]:
        report = self._attendance(period)
        rows = [("location", a) for a in report.by_location]
        rows += [("therapist", a) for a in report.by_therapist]
        return [
            p.Leakage(
                a.key if by == "location" else "All",
                a.key if by == "therapist" else "All",
                a.due,
                a.no_shows,
                a.late_cancels,
                a.revenue_lost,
            )
            for by, a in rows
        ]

    def revenue_lost(self, period: p.Period) -> Decimal:
        return self._attendance(period).total.revenue_lost

    def locations(self) -> Sequence[str]:
        with self._scope() as scope:
            return activity.names(scope)[0]

    def therapists(self) -> Sequence[str]:
        with self._scope() as scope:
            return activity.names(scope)[1]


class StoreWebData:
    """The web app's data over one store: a ``WebData`` per organization and provider
    scope, made on first use (they hold no connection: each read opens one). The
    dashboard, work queues and status answer from one ``ReadCache`` per process, checked
    against the organization's data version on every call (``ptrcm.web.read_cache``)."""

    def __init__(self, settings: WebSettings, store: Store | None = None) -> None:
        self.store = store or Store.open(settings.database_url)
        self.settings = settings
        self.config = settings.config or load_config()
        self.cache = ReadCache(self.data_version)
        self._made: dict[tuple[int, int | None], p.WebData] = {}

    def data_version(self, org_id: int) -> int:
        with self.store.connect(org_id) as conn:
            return data_version(conn, org_id)

    def for_scope(self, org_id: int, provider: int | None = None) -> p.WebData:
        key = (org_id, provider)
        found = self._made.get(key)
        if found is None:
            data = StoreData(self.store, org_id, self.settings.today, provider, self.config)
            desk = StoreFrontDesk(self.store, Organization(self.store, "", org_id), self.config,
                                  provider)  # fmt: skip
            cached = CachedReads(self.cache, org_id, provider, data, data, data,
                                 self.settings.today)  # fmt: skip
            found = p.WebData(cached, cached, data, data, data, data, desk, cached)
            self._made[key] = found
        return found

    def close(self) -> None:
        self.store.close()
