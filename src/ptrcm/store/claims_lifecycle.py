"""The claim lifecycle in the store: visits waiting to be billed, claims by state, bulk
state changes, line replacement after safe fixes, batch links and scrub results.

Transitions are written in bulk (one ``INSERT`` for the history rows and one ``UPDATE``
per target state), in the caller's transaction, beside ``ClaimRepository`` (which writes
claims, versions, lines and batches).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Self

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from ptrcm.domain.claim_ids import KEPT_AS_CLAIM_ID, claim_id_for
from ptrcm.domain.claims import Claim
from ptrcm.domain.lifecycle import Transition
from ptrcm.domain.stored_claims import ClaimHead
from ptrcm.domain.visits import Visit
from ptrcm.rules.engine import Finding
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.claim_rows import append_created
from ptrcm.store.claim_store import append_transitions
from ptrcm.store.money_in_uow import MoneyInUnitOfWork
from ptrcm.store.parsed_visits import parsed_visit, record_text
from ptrcm.store.repository import Store
from ptrcm.store.scoped import Clock, OrgScoped, chunks
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import (
    claim_lines,
    claim_versions,
    claims,
    patients,
    payers,
    scrub_findings,
    scrub_runs,
    visits,
)
from ptrcm.store.types import utc_now


class LifecycleRepository(OrgScoped):
    def _visit_rows(self, condition: Any) -> list[Visit]:
        query = (
            self.scoped(visits, visits.c.id, record_text()).where(condition).order_by(visits.c.id)
        )
        engine = self.conn.engine
        found = [parsed_visit(engine, int(i), text) for i, text in self.conn.execute(query)]
        if found:
            detail = {"count": len(found), "purpose": "claim lifecycle"}
            self._audit([AuditEvent("read", "visits", None, None, detail)])
        return found

    def _audit(self, events: Sequence[AuditEvent]) -> None:
        AuditLog(self.conn, self.org_id, self.actor, self.clock).record(events)

    def unbilled_visits(
        self, through: date | None = None, *, skip_payers: Collection[str] = ()
    ) -> list[Visit]:
        """Visits no claim names yet, on or before ``through`` if given, not billed to
        ``skip_payers`` (payer ids), in the order they were stored. Chosen in SQL, so only
        these records are read and parsed."""
        query = self._unbilled(through, skip_payers, billed_to=False)
        rows = self._not_named(self.conn.execute(query.add_columns(record_text())))
        engine = self.conn.engine
        found = [parsed_visit(engine, int(r[0]), r[2]) for r in rows]
        if found:
            detail = {"count": len(found), "purpose": "claim lifecycle"}
            self._audit([AuditEvent("read", "visits", None, None, detail)])
        return found

    def unbilled_visit_ids(
        self, through: date | None = None, *, payers: Collection[str] = ()
    ) -> list[str]:
        """The ids of the visits no claim names yet, on or before ``through`` if given,
        billed to ``payers`` (e.g. the self-pay ones), in the order they were stored; their
        records are not read."""
        if not payers:
            return []
        rows = self.conn.execute(self._unbilled(through, payers, billed_to=True))
        return [str(r[1]) for r in self._not_named(rows)]

    def _unbilled(self, through: date | None, payer_ids: Collection[str],
                  billed_to: bool) -> Select[Any]:  # fmt: skip
        """Row id and visit id of the visits no claim names by their visit id (those whose
        visit id is not their CLM01 are kept for ``_not_named``), on or before
        ``through``, billed (``billed_to``) or not billed to ``payer_ids``."""
        named = exists().where(claims.c.org_id == self.org_id, claims.c.pcn == visits.c.external_id)
        as_is = visits.c.external_id.regexp_match(KEPT_AS_CLAIM_ID)
        chosen = visits.c.payer_id.in_(
            select(payers.c.id).where(
                payers.c.org_id == self.org_id, payers.c.external_id.in_(sorted(payer_ids))
            )
        )
        query = (
            self.scoped(visits, visits.c.id, visits.c.external_id)
            .where(or_(~named, ~as_is), chosen if billed_to else ~chosen)
            .order_by(visits.c.id)
        )
        if through is not None:
            query = query.where(visits.c.date_of_service <= through)
        return query

    def _not_named(self, rows: Iterable[Any]) -> list[Any]:
        """``rows`` (row id, visit id, ...) less those whose visit's claim id (not its visit
        id: ``claim_id_for`` changed it) a claim has."""
        pcns = [(r, claim_id_for(str(r[1]))) for r in rows]
        other = sorted({pcn for r, pcn in pcns if pcn != str(r[1])})
        billed: set[str] = set()
        for part in chunks(other):
            query = self.scoped(claims, claims.c.pcn).where(claims.c.pcn.in_(part))
            billed.update(str(p) for p in self.conn.execute(query).scalars())
        return [r for r, pcn in pcns if pcn not in billed]

    def visits_by_id(self, visit_ids: Iterable[str]) -> dict[str, Visit]:
        wanted = sorted(set(visit_ids))
        out: dict[str, Visit] = {}
        for part in chunks(wanted):
            out.update({v.visit_id: v for v in self._visit_rows(visits.c.external_id.in_(part))})
        return out

    def visits_of_patients(
        self, patient_ids: Iterable[str], through: date | None = None
    ) -> list[Visit]:
        """Every stored visit of these patients (their history for the scrubber), on or
        before ``through`` if given."""
        wanted = sorted(set(patient_ids))
        out: list[Visit] = []
        for part in chunks(wanted):
            ids = select(patients.c.id).where(
                patients.c.org_id == self.org_id, patients.c.external_id.in_(part)
            )
            condition: ColumnElement[bool] = visits.c.patient_id.in_(ids)
            if through is not None:
                condition = and_(condition, visits.c.date_of_service <= through)
            out.extend(self._visit_rows(condition))
        return out

    def claims_in(self, states: Sequence[str] | None = None) -> list[ClaimHead]:
        query = (
            select(
                claims.c.id,
                claims.c.pcn,
                claims.c.state,
                payers.c.external_id,
                claim_versions.c.id,
                claims.c.total_charge,
                claims.c.first_date_of_service,
                claim_versions.c.document,
            )
            .join(payers, payers.c.id == claims.c.payer_id)
            .join(
                claim_versions,
                and_(
                    claim_versions.c.claim_id == claims.c.id,
                    claim_versions.c.version_number == claims.c.current_version,
                ),
            )
            .where(claims.c.org_id == self.org_id)
            .order_by(claims.c.first_date_of_service, claims.c.pcn)
        )
        if states is not None:
            query = query.where(claims.c.state.in_(list(states)))
        return [
            ClaimHead(
                int(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                int(r[4]),
                r[5],
                r[6],
                tuple(str(v) for v in (r[7] or {}).get("visit_ids", ())),
            )
            for r in self.conn.execute(query)
        ]

    def record_transitions(self, steps: Sequence[tuple[int, int | None, Transition]]) -> None:
        """Append every transition and move each claim to its new state (bulk)."""
        append_transitions(self, steps)

    def record_created(self, claim_ids: Mapping[str, int], state: str, reason: str) -> None:
        """The first history row of new claims: no previous state."""
        append_created(self, claim_ids, state, reason)

    def replace_lines(self, claim_id: int, version_id: int, claim: Claim) -> None:
        """New lines for a claim not yet submitted (after safe fixes changed its visit)."""
        self.conn.execute(
            delete(claim_lines).where(
                claim_lines.c.org_id == self.org_id, claim_lines.c.claim_version_id == version_id
            )
        )
        rows = [
            self.new_row(
                claim_version_id=version_id,
                line_number=ln.line_number,
                date_of_service=ln.date_of_service,
                code=ln.code,
                modifiers=",".join(ln.modifiers) or None,
                units=ln.units,
                charge_amount=ln.charge.amount,
                dx_pointers=",".join(map(str, ln.dx_pointers)) or None,
            )
            for ln in claim.lines
        ]
        if rows:
            self.conn.execute(insert(claim_lines), rows)
        total = claim.total_charge.amount
        self.conn.execute(
            update(claim_versions)
            .where(claim_versions.c.org_id == self.org_id, claim_versions.c.id == version_id)
            .values(total_charge=total)
        )
        self.conn.execute(
            update(claims)
            .where(claims.c.org_id == self.org_id, claims.c.id == claim_id)
            .values(total_charge=total)
        )
        self.touch_claims([claim_id])

    def attach_batch(self, version_ids: Sequence[int], batch_id: int, at: datetime) -> None:
        for part in chunks(list(version_ids)):
            self.conn.execute(
                update(claim_versions)
                .where(claim_versions.c.org_id == self.org_id, claim_versions.c.id.in_(part))
                .values(batch_id=batch_id, submitted_at=at, state="submitted")
            )
            owners = self.scoped(claim_versions, claim_versions.c.claim_id).where(
                claim_versions.c.id.in_(part)
            )
            self.touch_claims(self.conn.execute(owners).scalars())

    def add_scrub_runs(self, results: Sequence[tuple[int, int, Sequence[Finding]]]) -> None:
        """One scrub run per (claim id, run number, findings), with its findings: the runs in
        one statement, read back by claim and number, then every finding in one statement."""
        if not results:
            return
        now = self.clock()
        after = self.conn.execute(self.scoped(scrub_runs, func.max(scrub_runs.c.id))).scalar()
        rows = []
        for claim_id, number, found in results:
            count = {s: sum(1 for f in found if f.severity.value == s) for s in ("error",
                     "warning", "info")}  # fmt: skip
            rows.append(self.new_row(
                claim_id=claim_id, visit_id=None, run_number=number, scrubbed_at=now,
                errors=count["error"], warnings=count["warning"], infos=count["info"],
                pack=None, pack_version=None,
            ))  # fmt: skip
        self.conn.execute(insert(scrub_runs), rows)
        # the runs are read back by claim and each finding's reference to its run is
        # checked: both need the grown table's statistics (``keep_statistics``)
        keep_statistics(self.conn, (scrub_findings,))
        ids: dict[tuple[int, int], int] = {}
        for part in chunks(sorted({cid for cid, _n, _f in results})):
            query = self.scoped(
                scrub_runs, scrub_runs.c.id, scrub_runs.c.claim_id, scrub_runs.c.run_number
            ).where(scrub_runs.c.claim_id.in_(part), scrub_runs.c.id > (after or 0))
            ids.update({(int(c), int(n)): int(i) for i, c, n in self.conn.execute(query)})
        findings = [
            self.new_row(
                scrub_run_id=ids[(claim_id, number)],
                rule=f.rule,
                severity=f.severity.value,
                line_number=f.line,
                code=f.code,
                message=f.message,
                fix=f.fix.description if f.fix is not None else None,
            )
            for claim_id, number, found in results
            for f in found
        ]
        if findings:
            self.conn.execute(insert(scrub_findings), findings)
        self.touch_claims(claim_id for claim_id, _number, _found in results)

    def scrub_run_counts(self, claim_ids: Iterable[int]) -> dict[int, int]:
        """How many scrub runs each claim has had (claims without one are left out)."""
        out: dict[int, int] = {}
        for part in chunks(sorted(set(claim_ids))):
            query = (
                self.scoped(scrub_runs, scrub_runs.c.claim_id, func.count())
                .where(scrub_runs.c.claim_id.in_(part))
                .group_by(scrub_runs.c.claim_id)
            )
            out.update({int(c): int(n) for c, n in self.conn.execute(query)})
        return out

    def last_findings(self, claim_id: int) -> list[dict[str, Any]]:
        last = (
            self.scoped(scrub_runs, func.max(scrub_runs.c.id))
            .where(scrub_runs.c.claim_id == claim_id)
            .scalar_subquery()
        )
        query = (
            self.scoped(scrub_findings)
            .where(scrub_findings.c.scrub_run_id == last)
            .order_by(scrub_findings.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def pcns_with_version_state(self) -> dict[str, int]:
        query = self.scoped(claims, claims.c.state, func.count()).group_by(claims.c.state)
        return {str(s): int(n) for s, n in self.conn.execute(query)}


class ClaimsUnitOfWork(MoneyInUnitOfWork):
    """The money-in unit of work plus the lifecycle repository: the SQL implementation of
    ``ptrcm.services.claims.ports.ClaimsUnitOfWork`` (and of the demo's unit of work, which
    is every port at once), structurally."""

    def __enter__(self) -> Self:
        super().__enter__()
        self.lifecycle = LifecycleRepository(self.connection, self.org_id, self.actor, self.clock)
        return self


def claims_unit_of_work(
    store: Store, org_id: int, actor: str, clock: Clock = utc_now
) -> ClaimsUnitOfWork:
    return ClaimsUnitOfWork(store.engine, org_id, actor, clock)
