"""What the chart-audit pages show at once: every audit with its records and passes (each
record by its latest round), the audit pass rate by therapist and by location
(``kpis.pass_rates``, as ``ptrcm chart-audit kpis`` prints it), the records-request KPIs
(``requests.request_kpis``) and the requests and recoupments themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptrcm.domain.chart_audit.stored import ChartAudit, RecordsRequest, Recoupment
from ptrcm.services.chart_audit.audits import latest_round
from ptrcm.services.chart_audit.kpis import PassRate, pass_rates
from ptrcm.services.chart_audit.ports import ChartAuditUnitOfWork
from ptrcm.services.chart_audit.requests import RequestKpis, request_kpis


@dataclass(frozen=True, slots=True)
class AuditSummary:
    audit: ChartAudit
    rounds: int
    records: int  # visits scored (each once, by its latest round)
    passed: int  # of those, without a significant finding


@dataclass(frozen=True, slots=True)
class Overview:
    audits: tuple[AuditSummary, ...]  # newest first
    by_therapist: tuple[PassRate, ...]
    by_location: tuple[PassRate, ...]
    requests: RequestKpis
    open_requests: tuple[RecordsRequest, ...]
    closed_requests: tuple[RecordsRequest, ...]
    recoupments: tuple[Recoupment, ...]


def overview(uow: ChartAuditUnitOfWork, as_of: date) -> Overview:
    summaries = []
    for audit in sorted(uow.chart_audits.all(), key=lambda a: a.id, reverse=True):
        results = uow.chart_audits.results(audit.id)
        latest = latest_round(results)
        rounds = max((r.round for r in results), default=0)
        summaries.append(
            AuditSummary(audit, rounds, len(latest), sum(1 for r in latest if r.passed))
        )
    every = uow.chart_audits.results(None)
    requests = uow.records_requests.requests()
    return Overview(
        tuple(summaries),
        tuple(pass_rates(every, "therapist")),
        tuple(pass_rates(every, "location")),
        request_kpis(uow, as_of),
        tuple(r for r in requests if r.status != "closed"),
        tuple(r for r in requests if r.status == "closed"),
        tuple(uow.records_requests.recoupments()),
    )
