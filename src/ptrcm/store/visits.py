"""Visits and their services, with the master records a visit file names (patients,
payers, rendering providers, locations) created on first sight.

An import upserts by (organization, visit id): a visit seen before is updated in place and
its services replaced, so importing the same file twice leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, update

from ptrcm.domain.input_limits import bounded_key
from ptrcm.domain.intake import SourcedVisit, UpsertCounts
from ptrcm.domain.lifecycle import ClaimState
from ptrcm.domain.patient_search import name_key
from ptrcm.domain.records import visit_to_record
from ptrcm.domain.visits import Visit
from ptrcm.store.audit import AuditEvent, AuditLog
from ptrcm.store.parsed_visits import parsed_visit, record_text
from ptrcm.store.scoped import Clock, OrgScoped, chunks
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import (
    claims,
    locations,
    patients,
    payers,
    providers,
    visit_services,
    visits,
)
from ptrcm.store.types import utc_now
from ptrcm.store.visit_rollup import move_visits

# A claim in one of these states has not left the practice: its visit may still change.
UNSENT_STATES = tuple(
    s.value for s in (ClaimState.BUILT, ClaimState.SCRUBBED, ClaimState.HELD, ClaimState.READY)
)


# ``VisitRepository.get``, built once (posting reads a visit per secondary claim).
_ONE_VISIT = select(visits.c.id, record_text(), visits.c.patient_id).where(
    visits.c.org_id == bindparam("org_id"), visits.c.external_id == bindparam("visit_id")
)


def provider_key(visit: Visit) -> str:
    """A rendering provider's external id: the NPI, else credential and name (a long name
    shortened with a hash, so the key fits its column)."""
    r = visit.rendering
    return r.npi or bounded_key(f"{r.credential}:{r.name or '-'}")


def _patient_values(visit: Visit) -> dict[str, Any]:
    p = visit.patient
    if p is None:
        return {}
    values: dict[str, Any] = {
        "first_name": p.first_name,
        "last_name": p.last_name,
        "birth_date": p.birth_date,
        "sex": p.sex,
    }
    if p.address is not None:
        a = p.address
        values |= {"line1": a.line1, "line2": a.line2, "city": a.city, "state": a.state}
        values["zip"] = a.zip
    return values


def with_name_keys(values: dict[str, Any]) -> dict[str, Any]:
    """A patient's values with the search key of each name they set (``first_key``,
    ``last_key``), so the keys never lag the names."""
    out = dict(values)
    for name in ("first", "last"):
        if f"{name}_name" in values:
            key = name_key(values[f"{name}_name"])
            out[f"{name}_key"] = None if key is None else key[:80]
    return out


class ExternalIds(OrgScoped):
    """Maps external ids (the ones in files) to row ids, creating missing rows in bulk."""

    def resolve(
        self,
        table: Table,
        wanted: dict[str, dict[str, Any]],
        *,
        refresh: Callable[[str], bool] = lambda _key: False,
    ) -> dict[str, int]:
        """Row id of each external id in ``wanted``; missing ones are inserted with its values.

        Existing rows for which ``refresh(key)`` is true get the values written over them.
        A patient's names are written with their search keys.
        """
        if table is patients:
            wanted = {k: with_name_keys(v) for k, v in wanted.items()}
        keys = sorted(wanted)
        found: dict[str, int] = {}
        for part in chunks(keys):
            query = self.scoped(table, table.c.external_id, table.c.id).where(
                table.c.external_id.in_(part)
            )
            found.update({str(ext): int(i) for ext, i in self.conn.execute(query)})
        missing = [self.new_row(external_id=k, **wanted[k]) for k in keys if k not in found]
        if missing:
            result = self.conn.execute(
                insert(table).returning(table.c.external_id, table.c.id), missing
            )
            found.update({str(ext): int(i) for ext, i in result})
        stale = [
            {"target_id": found[k], **wanted[k]}
            for k in keys
            if k in found and wanted[k] and refresh(k)
        ]
        if stale:
            self._update_many(table, stale)
        return found

    def _update_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        by_shape: dict[Hashable, list[dict[str, Any]]] = {}
        for row in rows:
            by_shape.setdefault(tuple(sorted(row)), []).append(row)
        for group in by_shape.values():
            statement = update(table).where(
                table.c.id == bindparam("target_id"), table.c.org_id == self.org_id
            )
            self.conn.execute(statement, group)


class VisitRepository(OrgScoped):
    def __init__(
        self, conn: Any, org_id: int, actor: str, clock: Clock = utc_now, *, audit: AuditLog
    ) -> None:
        super().__init__(conn, org_id, actor, clock)
        self.audit = audit
        self.ids = ExternalIds(conn, org_id, actor, clock)

    def upsert(
        self, items: Sequence[SourcedVisit], *, claim_of: Callable[[str], str] | None = None
    ) -> UpsertCounts:
        """Insert new visits and replace changed ones (same visit id) and their services.

        A visit stored exactly as given is left alone (no write, no audit event). With
        ``claim_of`` (visit id -> its claim's CLM01), a changed visit whose claim has left
        the practice (any state from ``submitted`` on) is refused: left as stored and
        reported in ``refused``, because only a corrected claim may change what was billed.
        """
        inserted = updated = unchanged = 0
        refused: dict[str, str] = {}
        for part in chunks(items):
            keep_statistics(self.conn, (visits, visit_services))  # a large import grows them
            existing = self._existing(part)
            changed = [
                item
                for item in part
                if existing.get(item.visit.visit_id, (0, None))[1] != visit_to_record(item.visit)
            ]
            unchanged += len(part) - len(changed)
            if claim_of is not None:
                known = [item.visit.visit_id for item in changed]
                sent = self._sent_claims([v for v in known if v in existing], claim_of)
                refused.update(sent)
                changed = [item for item in changed if item.visit.visit_id not in sent]
            if changed:
                row_ids = {v: existing[v][0] for v in existing}
                added, replaced = self._upsert_chunk(changed, row_ids)
                inserted, updated = inserted + added, updated + replaced
        return UpsertCounts(inserted, updated, unchanged, refused)

    def _existing(self, part: Sequence[SourcedVisit]) -> dict[str, tuple[int, Any]]:
        """Row id and stored record of the visits of ``part`` already on file."""
        wanted = [item.visit.visit_id for item in part]
        query = self.scoped(visits, visits.c.external_id, visits.c.id, visits.c.record)
        rows = self.conn.execute(query.where(visits.c.external_id.in_(wanted)))
        return {str(ext): (int(i), record) for ext, i, record in rows}

    def _sent_claims(
        self, visit_ids: Sequence[str], claim_of: Callable[[str], str]
    ) -> dict[str, str]:
        """Visit id -> "CLAIM (state)" for each visit whose claim was already submitted."""
        if not visit_ids:
            return {}
        by_pcn = {claim_of(v): v for v in visit_ids}
        query = self.scoped(claims, claims.c.pcn, claims.c.state).where(
            claims.c.pcn.in_(list(by_pcn)), claims.c.state.not_in(UNSENT_STATES)
        )
        return {by_pcn[str(pcn)]: f"{pcn} ({state})" for pcn, state in self.conn.execute(query)}

    def _master_ids(self, part: Sequence[SourcedVisit]) -> dict[str, dict[str, int]]:
        pats: dict[str, dict[str, Any]] = {}
        pays: dict[str, dict[str, Any]] = {}
        provs: dict[str, dict[str, Any]] = {}
        locs: dict[str, dict[str, Any]] = {}
        for item in part:
            v = item.visit
            pats[v.patient_id] = _patient_values(v) or pats.get(v.patient_id, {})
            pays.setdefault(v.payer_id, {"name": v.payer_id})
            r = v.rendering
            provs.setdefault(
                provider_key(v),
                {"npi": r.npi, "name": r.name, "credential": r.credential, "discipline": None},
            )
            if v.location_id:
                locs.setdefault(v.location_id, {"name": v.location_id})
        return {
            "patient": self.ids.resolve(patients, pats, refresh=lambda k: bool(pats[k])),
            "payer": self.ids.resolve(payers, pays),
            "provider": self.ids.resolve(providers, provs),
            "location": self.ids.resolve(locations, locs),
        }

    def _upsert_chunk(
        self, part: Sequence[SourcedVisit], existing: dict[str, int]
    ) -> tuple[int, int]:
        ids = self._master_ids(part)
        now = self.clock()
        fresh: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        for item in part:
            v = item.visit
            row = {
                "patient_id": ids["patient"][v.patient_id],
                "payer_id": ids["payer"][v.payer_id],
                "provider_id": ids["provider"][provider_key(v)],
                "location_id": ids["location"].get(v.location_id or ""),
                "date_of_service": v.date_of_service,
                "discipline": v.discipline,
                "member_id": v.member_id,
                "place_of_service": v.place_of_service,
                "diagnoses": list(v.diagnoses),
                "total_timed_minutes": v.total_timed_minutes,
                "total_treatment_minutes": v.total_treatment_minutes,
                "episode_visit_number": v.episode_visit_number,
                "record": visit_to_record(v),
                "source_file": item.source[-255:],
                "source_line": item.line,
                "updated_at": now,
            }
            if v.visit_id in existing:
                stale.append({"target_id": existing[v.visit_id], **row})
            else:
                fresh.append(self.new_row(external_id=v.visit_id, **row))
        visit_ids = dict(existing)
        written = [r["target_id"] for r in stale]
        if fresh:
            result = self.conn.execute(
                insert(visits).returning(visits.c.external_id, visits.c.id), fresh
            )
            added = {str(ext): int(i) for ext, i in result}
            visit_ids.update(added)
            written += added.values()
        if stale:  # the daily counts: the old rows out here, the rows as written in below
            move_visits(self.conn, self.org_id, [r["target_id"] for r in stale], -1)
            self.ids._update_many(visits, stale)
            for ids_part in chunks([r["target_id"] for r in stale]):
                self.conn.execute(
                    delete(visit_services).where(
                        visit_services.c.org_id == self.org_id,
                        visit_services.c.visit_id.in_(ids_part),
                    )
                )
        move_visits(self.conn, self.org_id, written, +1)
        self._insert_services(part, visit_ids)
        self.audit.record(
            [
                AuditEvent(
                    action="update" if item.visit.visit_id in existing else "create",
                    table_name="visits",
                    record_id=item.visit.visit_id,
                    patient_id=ids["patient"][item.visit.patient_id],
                )
                for item in part
            ]
        )
        return len(fresh), len(stale)

    def _insert_services(self, part: Sequence[SourcedVisit], visit_ids: dict[str, int]) -> None:
        rows = [
            self.new_row(
                visit_id=visit_ids[item.visit.visit_id],
                line_number=number,
                code=s.code,
                minutes=s.minutes,
                assistant_minutes=s.assistant_minutes,
                billed_units=s.units,
                modifiers=None if s.modifiers is None else ",".join(s.modifiers),
                dx_pointers=None if s.dx_pointers is None else ",".join(map(str, s.dx_pointers)),
            )
            for item in part
            for number, s in enumerate(item.visit.services, start=1)
        ]
        if rows:
            self.conn.execute(insert(visit_services), rows)

    def get(self, visit_id: str) -> Visit | None:
        """The stored visit, exactly as imported; the read is written to the audit log."""
        params = {"org_id": self.org_id, "visit_id": visit_id}
        row = self.conn.execute(_ONE_VISIT, params).first()
        if row is None:
            return None
        self.audit.record([AuditEvent("read", "visits", visit_id, int(row.patient_id))])
        return parsed_visit(self.conn.engine, int(row.id), str(row.record_text))

    def get_many(self, visit_ids: Sequence[str]) -> dict[str, Visit]:
        """``get`` for many visits: one statement per chunk, one audit event per visit."""
        wanted = sorted(set(visit_ids))
        rows: dict[str, tuple[int, int, str]] = {}
        for part in chunks(wanted):
            query = self.scoped(
                visits, visits.c.external_id, visits.c.id, visits.c.patient_id, record_text()
            ).where(visits.c.external_id.in_(part))
            for ext, row_id, patient_id, text in self.conn.execute(query):
                rows[str(ext)] = (int(row_id), int(patient_id), str(text))
        found = [i for i in wanted if i in rows]
        self.audit.record([AuditEvent("read", "visits", i, rows[i][1]) for i in found])
        engine = self.conn.engine
        return {i: parsed_visit(engine, rows[i][0], rows[i][2]) for i in found}

    def history(
        self, patient_ids: Sequence[str], exclude: Sequence[str] = ()
    ) -> dict[str, list[Visit]]:
        """Stored visits of these patients (by patient external id), oldest first.

        Visits whose ids are in ``exclude`` (the input being scrubbed) are left out. Each
        patient whose history is read gets one read event in the audit log.
        """
        skip = set(exclude)
        out: dict[str, list[Visit]] = {}
        ids: dict[str, int] = {}
        for part in chunks(list(patient_ids)):
            query = (
                self.scoped(
                    visits, patients.c.external_id, visits.c.external_id, visits.c.id, record_text()
                )
                .join(
                    patients,
                    (patients.c.id == visits.c.patient_id) & (patients.c.org_id == visits.c.org_id),
                )
                .where(patients.c.external_id.in_(part))
                .order_by(visits.c.date_of_service, visits.c.id)
            )
            engine = self.conn.engine
            for patient, visit_id, row_id, text in self.conn.execute(query):
                if visit_id in skip:
                    continue
                out.setdefault(str(patient), []).append(parsed_visit(engine, int(row_id), text))
            for ext, pid in self.conn.execute(
                self.scoped(patients, patients.c.external_id, patients.c.id).where(
                    patients.c.external_id.in_([p for p in part if p in out])
                )
            ):
                ids[str(ext)] = int(pid)
        self.audit.record(
            [
                AuditEvent("read", "visits", None, ids[p], {"history_visits": len(v)})
                for p, v in out.items()
            ]
        )
        return out

    def count(self) -> int:
        return int(self.conn.execute(self.scoped(visits, func.count())).scalar_one())

    def visit_ids(self) -> list[str]:
        query = self.scoped(visits, visits.c.external_id).order_by(visits.c.external_id)
        return [str(v) for v in self.conn.execute(query).scalars()]

    def services(self, visit_id: str) -> list[dict[str, Any]]:
        """The visit's service rows in line order (code, minutes, units billed, modifiers)."""
        query = (
            self.scoped(visit_services)
            .join(visits, visits.c.id == visit_services.c.visit_id)
            .where(visits.c.external_id == visit_id, visits.c.org_id == self.org_id)
            .order_by(visit_services.c.line_number)
        )
        return [dict(row._mapping) for row in self.conn.execute(query)]
