"""Secondary coverage as posting reads it: the patient's coverage row of rank
``secondary`` in force on a date of service (the first by row id), for one claim or for
every claim of a remittance at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select

from ptrcm.store.scoped import OrgScoped, chunks
from ptrcm.store.tables import coverages, payers

# Built once with bound parameters: posting asks it once per claim it bills a secondary
# for, and building the statement cost more than running it.
_SECONDARY = (
    select(payers.c.external_id, coverages.c.member_id)
    .join(payers, payers.c.id == coverages.c.payer_id)
    .where(
        coverages.c.org_id == bindparam("org_id"),
        coverages.c.patient_id == bindparam("patient_id"),
        coverages.c.rank == "secondary",
        (coverages.c.start_date.is_(None)) | (coverages.c.start_date <= bindparam("on")),
        (coverages.c.end_date.is_(None)) | (coverages.c.end_date >= bindparam("on")),
    )
    .order_by(coverages.c.id)
)


class CoverageReader(OrgScoped):
    """The patient's secondary coverage on a date, from the coverage rows."""

    def secondary(self, patient_id: int, on: date) -> tuple[str, str | None] | None:
        params = {"org_id": self.org_id, "patient_id": patient_id, "on": on}
        row = self.conn.execute(_SECONDARY, params).first()
        return None if row is None else (str(row[0]), None if row[1] is None else str(row[1]))

    def secondaries(
        self, wanted: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], tuple[str, str | None]]:
        """``secondary`` for each (patient id, date): the patients' secondary rows read
        in one statement per chunk, the first in force on the date (by row id) kept."""
        rows: dict[int, list[Any]] = {}
        for part in chunks(sorted({p for p, _ in wanted})):
            query = (
                self.scoped(
                    coverages,
                    coverages.c.patient_id,
                    payers.c.external_id,
                    coverages.c.member_id,
                    coverages.c.start_date,
                    coverages.c.end_date,
                )
                .join(payers, payers.c.id == coverages.c.payer_id)
                .where(coverages.c.rank == "secondary", coverages.c.patient_id.in_(part))
                .order_by(coverages.c.id)
            )
            for r in self.conn.execute(query):
                rows.setdefault(int(r[0]), []).append(r)
        out: dict[tuple[int, date], tuple[str, str | None]] = {}
        for patient_id, on in wanted:
            for r in rows.get(patient_id, ()):
                if (r[3] is None or r[3] <= on) and (r[4] is None or r[4] >= on):
                    out[(patient_id, on)] = (str(r[1]), None if r[2] is None else str(r[2]))
                    break
        return out
