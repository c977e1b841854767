"""Chart audits in the store: the visits offered for sampling (with their charges and the
documentation denials of their claims), the audits started and every record's scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from ptrcm.domain.chart_audit.engine import RecordScore
from ptrcm.domain.chart_audit.stored import (
    DOCUMENTATION_CARCS,
    AuditSpec,
    Candidate,
    ChartAudit,
    StoredResult,
)
from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.domain.input_limits import bounded_key
from ptrcm.domain.visits import Visit
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.parsed_visits import parsed_visit, record_text
from ptrcm.store.scoped import Clock, OrgScoped, chunks
from ptrcm.store.tables import (
    adjustments,
    charges,
    chart_audit_results,
    chart_audits,
    claim_payments,
    claims,
    visits,
)
from ptrcm.store.types import utc_now


class ChartAuditRepository(OrgScoped):
    def __init__(
        self, conn: Any, org_id: int, actor: str, clock: Clock = utc_now, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit

    def _read(self, rows: Sequence[Any]) -> tuple[list[Visit], dict[int, int]]:
        engine = self.conn.engine
        out = [parsed_visit(engine, int(r.id), str(r.record_text)) for r in rows]
        per_patient: dict[int, int] = {}
        for r in rows:
            per_patient[int(r.patient_id)] = per_patient.get(int(r.patient_id), 0) + 1
        self.audit.record(
            [
                AuditEvent("read", "visits", None, pid, {"chart_audit_visits": n})
                for pid, n in sorted(per_patient.items())
            ]
        )
        return out, {int(r.id): i for i, r in enumerate(rows)}

    def candidates(self, start: date, end: date) -> list[Candidate]:
        query = (
            self.scoped(visits, visits.c.id, visits.c.patient_id, record_text())
            .where(visits.c.date_of_service >= start, visits.c.date_of_service <= end)
            .order_by(visits.c.date_of_service, visits.c.id)
        )
        rows = list(self.conn.execute(query))
        found, index = self._read(rows)
        charge = {i: Decimal("0.00") for i in index}
        carcs: dict[int, set[str]] = {i: set() for i in index}
        for part in chunks(list(index)):
            totals = self.scoped(charges, charges.c.visit_id, func.sum(charges.c.amount)).where(
                charges.c.visit_id.in_(part), charges.c.state != "void"
            )
            for visit_id, total in self.conn.execute(totals.group_by(charges.c.visit_id)):
                charge[int(visit_id)] = Decimal(total or 0)
        # One claim per visit, numbered from the visit id (domain.claim_ids): its charge
        # when no charges were built, and the documentation CARCs of its adjustments.
        pcns = {claim_id_for(v.visit_id): row_id for row_id, v in zip(index, found, strict=True)}
        for pcn_part in chunks(sorted(pcns)):
            query = self.scoped(claims, claims.c.id, claims.c.pcn, claims.c.total_charge).where(
                claims.c.pcn.in_(pcn_part)
            )
            claim_visit: dict[int, int] = {}
            for claim_id, pcn, total in self.conn.execute(query):
                row_id = pcns[str(pcn)]
                claim_visit[int(claim_id)] = row_id
                if charge[row_id] == 0:
                    charge[row_id] = Decimal(total or 0)
            if not claim_visit:
                continue
            denials = (
                select(claim_payments.c.claim_id, adjustments.c.carc)
                .select_from(adjustments)
                .join(claim_payments, claim_payments.c.id == adjustments.c.claim_payment_id)
                .where(
                    adjustments.c.org_id == self.org_id,
                    claim_payments.c.org_id == self.org_id,
                    adjustments.c.carc.in_(sorted(DOCUMENTATION_CARCS)),
                    claim_payments.c.claim_id.in_(sorted(claim_visit)),
                )
                .distinct()
            )
            for claim_id, carc in self.conn.execute(denials):
                carcs[claim_visit[int(claim_id)]].add(str(carc))
        return [
            Candidate(found[i], charge[row_id], frozenset(carcs[row_id]))
            for row_id, i in index.items()
        ]

    def visits(self, visit_ids: Sequence[str]) -> list[Visit]:
        rows: list[Any] = []
        for part in chunks(list(visit_ids)):
            query = self.scoped(visits, visits.c.id, visits.c.patient_id, record_text()).where(
                visits.c.external_id.in_(part)
            )
            rows.extend(self.conn.execute(query))
        return self._read(rows)[0]

    def create(self, spec: AuditSpec) -> int:
        row = self.new_row(
            name=spec.name, method=spec.method, seed=spec.seed, period_start=spec.period_start,
            period_end=spec.period_end, episodes=spec.episodes,
            criteria_version=spec.criteria_version, started_by=bounded_key(self.actor, 120),
        )  # fmt: skip
        audit_id = self.insert_with_ids(chart_audits, [row])[0]
        self.audit.record([AuditEvent("create", "chart_audits", str(audit_id))])
        return audit_id

    def add_results(
        self, audit_id: int, round_number: int, scores: Sequence[RecordScore], version: str
    ) -> None:
        if not scores:
            return
        ids: dict[str, int] = {}
        for part in chunks([s.visit_id for s in scores]):
            query = self.scoped(visits, visits.c.external_id, visits.c.id).where(
                visits.c.external_id.in_(part)
            )
            ids.update({str(e): int(i) for e, i in self.conn.execute(query)})
        now = self.clock()
        rows = [
            self.new_row(
                chart_audit_id=audit_id, visit_id=ids[s.visit_id], round=round_number,
                episode_key=bounded_key(s.episode_key, 200), therapist=bounded_key(s.therapist, 80),
                location=s.location_id, criteria_version=version, applied=s.applicable,
                met=s.met, passed=s.passed, scored_at=now,
                findings=[{"criterion": f.criterion_id, "severity": f.severity}
                          for f in s.findings],
                criteria=list(s.applied),
            )
            for s in scores
        ]  # fmt: skip
        self.conn.execute(insert(chart_audit_results), rows)
        detail = {"round": round_number, "records": len(rows)}
        self.audit.record([AuditEvent("update", "chart_audits", str(audit_id), None, detail)])

    def get(self, audit_id: int) -> ChartAudit | None:
        row = self.conn.execute(
            self.scoped(chart_audits).where(chart_audits.c.id == audit_id)
        ).first()
        return None if row is None else _audit(row)

    def all(self) -> list[ChartAudit]:
        query = self.scoped(chart_audits).order_by(chart_audits.c.id)
        return [_audit(r) for r in self.conn.execute(query)]

    def results(self, audit_id: int | None = None) -> list[StoredResult]:
        r = chart_audit_results
        query = (
            select(r, visits.c.external_id)
            .join(visits, visits.c.id == r.c.visit_id)
            .where(r.c.org_id == self.org_id)
            .order_by(r.c.chart_audit_id, r.c.round, r.c.id)
        )
        if audit_id is not None:
            query = query.where(r.c.chart_audit_id == audit_id)
        return [
            StoredResult(
                str(row.external_id), int(row.round), row.episode_key, row.therapist,
                row.location, row.criteria_version, int(row.applied), int(row.met),
                bool(row.passed),
                tuple((f["criterion"], f["severity"]) for f in row.findings or []),
                tuple(row.criteria or []),
                row.scored_at,
            )
            for row in self.conn.execute(query)
        ]  # fmt: skip


def _audit(row: Any) -> ChartAudit:
    spec = AuditSpec(
        row.name, row.method, row.seed, row.period_start, row.period_end, int(row.episodes),
        row.criteria_version,
    )  # fmt: skip
    return ChartAudit(int(row.id), spec, row.started_by, row.created_at)
