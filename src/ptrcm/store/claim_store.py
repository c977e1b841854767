"""Claims in the store: writing built claims (with their first version and lines), reading
them back by patient control number, and recording every state change.

A state change is two writes in the caller's transaction: the append-only
``claim_transitions`` row (who, when, why) and the claim's current ``state``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, insert, select, update

from ptrcm.domain.claims import Claim
from ptrcm.domain.lifecycle import ClaimState, Transition
from ptrcm.domain.stored_claims import ClaimRecord, LineRecord
from ptrcm.store.claim_rows import append_created, version_document
from ptrcm.store.scoped import OrgScoped, chunks
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import (
    claim_lines,
    claim_transitions,
    claim_versions,
    claims,
    edi_batches,
    patients,
    payers,
)
from ptrcm.store.visits import ExternalIds


@lru_cache(maxsize=1024)  # a few distinct lists ("GP", "GP,KX", ...) over every line
def _modifiers(text: str | None) -> tuple[str, ...]:
    return tuple(m for m in (text or "").split(",") if m)


@lru_cache(maxsize=1024)
def _pointers(text: str | None) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p) if text else ()


def append_transitions(
    repo: OrgScoped, steps: Sequence[tuple[int, int | None, Transition]]
) -> None:
    """Append (claim id, version id, transition) rows in one INSERT and move each claim to
    its last new state with one UPDATE per new state and time, in the caller's transaction.
    The history is append-only: nothing here edits an earlier row."""
    if not steps:
        return
    rows = repo.new_rows(
        {
            "claim_id": cid,
            "claim_version_id": vid,
            "membership_id": None,
            "actor": t.actor,
            "from_state": t.from_state.value,
            "to_state": t.to_state.value,
            "reason": t.reason or t.event.value,
            "occurred_at": t.at,
        }
        for cid, vid, t in steps
    )
    repo.insert_many(claim_transitions, rows)
    keep_statistics(repo.conn, (claim_transitions,))  # the facts refresh reads it by claim
    repo.touch_claims(cid for cid, _vid, _t in steps)
    final = {cid: (t.to_state.value, t.at) for cid, _vid, t in steps}
    by_state: dict[tuple[str, datetime], list[int]] = {}
    for cid, key in final.items():
        by_state.setdefault(key, []).append(cid)
    for (state, at), ids in by_state.items():
        for part in chunks(ids):
            repo.conn.execute(
                update(claims)
                .where(claims.c.org_id == repo.org_id, claims.c.id.in_(part))
                .values(state=state, updated_at=at)
            )


# What ``ClaimRepository`` reads back, built once: the organization's claims with their
# current version, by patient control number or by id, and the lines of those versions.
_HEADS = (
    select(
        claims.c.id,
        claims.c.pcn,
        claims.c.patient_id,
        claims.c.payer_id,
        claims.c.state,
        claims.c.total_charge,
        claims.c.first_date_of_service,
        claim_versions.c.id,
        claim_versions.c.batch_id,
        claim_versions.c.document,
        patients.c.external_id,
        payers.c.external_id,
    )
    .join(
        claim_versions,
        and_(
            claim_versions.c.claim_id == claims.c.id,
            claim_versions.c.version_number == claims.c.current_version,
        ),
    )
    .join(patients, patients.c.id == claims.c.patient_id)
    .join(payers, payers.c.id == claims.c.payer_id)
    .where(claims.c.org_id == bindparam("org_id"))
)
_HEADS_BY_PCN = _HEADS.where(claims.c.pcn.in_(bindparam("keys", expanding=True)))
_HEADS_BY_ID = _HEADS.where(claims.c.id.in_(bindparam("keys", expanding=True)))
_LINES = (
    select(
        claim_lines.c.claim_version_id,
        claim_lines.c.id,
        claim_lines.c.line_number,
        claim_lines.c.code,
        claim_lines.c.modifiers,
        claim_lines.c.date_of_service,
        claim_lines.c.units,
        claim_lines.c.charge_amount,
        claim_lines.c.dx_pointers,
    )
    .where(
        claim_lines.c.org_id == bindparam("org_id"),
        claim_lines.c.claim_version_id.in_(bindparam("versions", expanding=True)),
    )
    .order_by(claim_lines.c.claim_version_id, claim_lines.c.line_number)
)

# The patients' current lines on some days (``ClaimRepository.lines_on_days``), built once.
_GONE = (ClaimState.REJECTED, ClaimState.VOIDED, ClaimState.CORRECTED)
_LINES_ON_DAYS = (
    select(
        claims.c.id,
        claims.c.patient_id,
        claims.c.payer_id,
        claim_lines.c.id,
        claim_lines.c.line_number,
        claim_lines.c.code,
        claim_lines.c.modifiers,
        claim_lines.c.date_of_service,
        claim_lines.c.units,
        claim_lines.c.charge_amount,
    )
    .join(
        claim_versions,
        and_(
            claim_versions.c.claim_id == claims.c.id,
            claim_versions.c.version_number == claims.c.current_version,
        ),
    )
    .join(claim_lines, claim_lines.c.claim_version_id == claim_versions.c.id)
    .where(
        claims.c.org_id == bindparam("org_id"),
        claim_lines.c.org_id == bindparam("org_id"),
        claims.c.patient_id.in_(bindparam("patients", expanding=True)),
        claims.c.state.not_in([str(g) for g in _GONE]),
        claim_lines.c.date_of_service.in_(bindparam("days", expanding=True)),
    )
    .order_by(claims.c.id, claim_lines.c.line_number)
)


class ClaimRepository(OrgScoped):
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
        row = self.new_row(
            kind=kind,
            file_name=file_name,
            isa_control=isa,
            gs_control=gs,
            st_control_first=st_first,
            st_control_last=st_last,
            claim_count=claim_count,
            total_charge=total_charge,
            state="sent",
            sent_at=self.clock(),
        )
        return int(
            self.conn.execute(insert(edi_batches).returning(edi_batches.c.id), row).scalar_one()
        )

    def add_claims(
        self,
        items: Sequence[Claim],
        *,
        state: str = "submitted",
        batch_id: int | None = None,
        notes: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, int]:
        """Store built claims (version 1 and its lines); returns claim id by CLM01.

        Patients and payers are named by external id and created on first sight. A
        replacement (frequency 7) or void (8) keeps its frequency and the payer's claim
        number in its version's document, with ``notes[pcn]`` (the claim it replaces).
        """
        ids = ExternalIds(self.conn, self.org_id, self.actor, self.clock)
        found: dict[str, int] = {}
        for part in chunks(items):
            keep_statistics(self.conn, (claims, claim_versions, claim_lines))
            pats = ids.resolve(patients, {c.patient_id: {} for c in part})
            pays = ids.resolve(payers, {c.payer_id: {"name": c.payer_id} for c in part})
            now = self.clock()
            rows = [
                self.new_row(
                    pcn=c.claim_id,
                    patient_id=pats[c.patient_id],
                    payer_id=pays[c.payer_id],
                    claim_type="837P",
                    discipline=c.discipline,
                    state=state,
                    total_charge=c.total_charge.amount,
                    first_date_of_service=c.first_date,
                    last_date_of_service=c.last_date,
                    current_version=1,
                    updated_at=now,
                )
                for c in part
            ]
            result = self.conn.execute(insert(claims).returning(claims.c.pcn, claims.c.id), rows)
            claim_ids = {str(pcn): int(i) for pcn, i in result}
            versions = [
                self.new_row(
                    claim_id=claim_ids[c.claim_id],
                    batch_id=batch_id,
                    version_number=1,
                    frequency_code=c.frequency,
                    state=state,
                    total_charge=c.total_charge.amount,
                    submitted_at=now if batch_id is not None else None,
                    payer_claim_number=c.payer_claim_number,
                    document=version_document(c, (notes or {}).get(c.claim_id)),
                )
                for c in part
            ]
            result = self.conn.execute(
                insert(claim_versions).returning(claim_versions.c.claim_id, claim_versions.c.id),
                versions,
            )
            version_ids = {int(cid): int(vid) for cid, vid in result}
            lines = [
                self.new_row(
                    claim_version_id=version_ids[claim_ids[c.claim_id]],
                    line_number=line.line_number,
                    date_of_service=line.date_of_service,
                    code=line.code,
                    modifiers=",".join(line.modifiers) or None,
                    units=line.units,
                    charge_amount=line.charge.amount,
                    dx_pointers=",".join(map(str, line.dx_pointers)) or None,
                )
                for c in part
                for line in c.lines
            ]
            if lines:
                self.conn.execute(insert(claim_lines), lines)
            found.update(claim_ids)
            self.touch_claims(claim_ids.values())
        return found

    def record_created(self, claim_ids: Mapping[str, int], state: str, reason: str) -> None:
        """The first history row of new claims: no previous state."""
        append_created(self, claim_ids, state, reason)

    def by_pcn(self, pcns: Iterable[str], *, with_lines: bool = True) -> dict[str, ClaimRecord]:
        """Claims of this organization by patient control number, with current lines (left
        empty without ``with_lines``: not read)."""
        wanted = sorted(set(pcns))
        out: dict[str, ClaimRecord] = {}
        for part in chunks(wanted):
            out.update(self._load(_HEADS_BY_PCN, part, with_lines))
        return out

    def by_ids(
        self, claim_ids: Iterable[int], *, with_lines: bool = True
    ) -> dict[str, ClaimRecord]:
        wanted = sorted(set(claim_ids))
        out: dict[str, ClaimRecord] = {}
        for part in chunks(wanted):
            out.update(self._load(_HEADS_BY_ID, part, with_lines))
        return out

    def by_batch(self, batch_id: int, *, with_lines: bool = True) -> list[ClaimRecord]:
        query = self.scoped(claim_versions, claim_versions.c.claim_id).where(
            claim_versions.c.batch_id == batch_id
        )
        found = self.conn.execute(query).scalars()
        return list(self.by_ids((int(i) for i in found), with_lines=with_lines).values())

    def _load(
        self, heads_of: Select[Any], keys: Sequence[Any], with_lines: bool = True
    ) -> dict[str, ClaimRecord]:
        params = {"org_id": self.org_id, "keys": list(keys)}
        heads = list(self.conn.execute(heads_of, params))
        lines: dict[int, list[LineRecord]] = {}
        for part in chunks([int(h[7]) for h in heads] if with_lines else []):
            params = {"org_id": self.org_id, "versions": list(part)}
            for vid, lid, number, code, mods, day, units, charge, pointers in self.conn.execute(
                _LINES, params
            ):
                lines.setdefault(vid, []).append(
                    LineRecord(
                        lid, number, code, _modifiers(mods), day, units, charge,
                        _pointers(pointers),
                    )
                )  # fmt: skip
        return {
            h[1]: ClaimRecord(
                id=h[0],
                pcn=h[1],
                patient_id=h[2],
                payer_id=h[3],
                patient_external_id=h[10],
                payer_external_id=h[11],
                state=h[4],
                total_charge=h[5],
                first_date_of_service=h[6],
                version_id=h[7],
                batch_id=h[8],
                document=h[9] or {},
                lines=tuple(lines.get(h[7], ())),
            )
            for h in heads
        }

    def record_transition(self, claim_id: int, version_id: int | None, step: Transition) -> None:
        """Append the transition and move the claim to its new state."""
        append_transitions(self, [(claim_id, version_id, step)])

    def record_transitions(self, steps: Sequence[tuple[int, int | None, Transition]]) -> None:
        """Append many transitions and move each claim to its last new state."""
        append_transitions(self, steps)

    def transitions(self, claim_id: int) -> list[dict[str, Any]]:
        query = (
            self.scoped(claim_transitions)
            .where(claim_transitions.c.claim_id == claim_id)
            .order_by(claim_transitions.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def state_of(self, pcn: str) -> str | None:
        query = self.scoped(claims, claims.c.state).where(claims.c.pcn == pcn)
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else str(found)

    def batches(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.conn.execute(self.scoped(edi_batches))]

    def count(self) -> int:
        return int(self.conn.execute(self.scoped(claims, func.count())).scalar_one())

    def lines_on_days(
        self, patient_ids: Iterable[int], days: Iterable[date]
    ) -> list[tuple[int, int, int, LineRecord]]:
        """(claim id, patient id, payer id, line) of the current lines on ``days`` of the
        patients' claims, except claims rejected, voided or replaced by a correction."""
        wanted, on = sorted(set(patient_ids)), sorted(set(days))
        if not wanted or not on:
            return []
        out: list[tuple[int, int, int, LineRecord]] = []
        for part in chunks(wanted):
            params = {"org_id": self.org_id, "patients": list(part), "days": on}
            for cid, pid, payer, lid, number, code, mods, day, units, charge in self.conn.execute(
                _LINES_ON_DAYS, params
            ):
                line = LineRecord(lid, number, code, _modifiers(mods), day, units, charge)
                out.append((cid, pid, payer, line))
        return out
