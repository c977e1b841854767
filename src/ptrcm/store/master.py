"""Master data (locations, providers, payers, plans, patients, coverages, plans of care,
authorizations) and appointments, upserted by (organization, external id).

Rows come in as column values keyed by column name; references to other records are
given by their external ids under the reference name without ``_id`` (``"patient":
"P-17"``) and resolved here, within the same organization only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, select, update

from ptrcm.domain.intake import UpsertCounts
from ptrcm.errors import InvariantError
from ptrcm.store.scoped import OrgScoped, chunks
from ptrcm.store.tables import (
    appointments,
    authorizations,
    coverages,
    locations,
    organizations,
    patients,
    payer_plans,
    payers,
    plans_of_care,
    providers,
    visits,
)
from ptrcm.store.visits import ExternalIds

# kind -> (table, {reference name: referenced table}), in dependency order.
KINDS: dict[str, tuple[Table, dict[str, Table]]] = {
    "locations": (locations, {}),
    "providers": (providers, {}),
    "payers": (payers, {}),
    "payer_plans": (payer_plans, {"payer": payers}),
    "patients": (patients, {}),
    "coverages": (coverages, {"patient": patients, "payer": payers, "plan": payer_plans}),
    "plans_of_care": (plans_of_care, {"patient": patients, "provider": providers}),
    "authorizations": (authorizations, {"patient": patients, "payer": payers}),
    "appointments": (
        appointments,
        {"patient": patients, "provider": providers, "location": locations, "visit": visits},
    ),
}


class MasterDataRepository(OrgScoped):
    def upsert(self, kind: str, rows: Sequence[Mapping[str, Any]]) -> UpsertCounts:
        """Insert or update ``rows`` of ``kind`` by external id; ``KeyError`` names a
        reference that does not exist in this organization."""
        if kind not in KINDS:
            raise InvariantError(f"unknown master-data kind {kind!r}")
        table, refs = KINDS[kind]
        resolved = self._resolve_refs(rows, refs)
        wanted: dict[str, dict[str, Any]] = {}
        for row in rows:
            values = {k: v for k, v in row.items() if k not in refs and k != "external_id"}
            for name in refs:
                if row.get(name) is not None:
                    values[f"{name}_id"] = resolved[name][str(row[name])]
                elif name in row:  # named and empty: the reference is cleared
                    values[f"{name}_id"] = None
            wanted[str(row["external_id"])] = values
        before = self.count(kind)
        ExternalIds(self.conn, self.org_id, self.actor, self.clock).resolve(
            table, wanted, refresh=lambda _key: True
        )
        inserted = self.count(kind) - before
        return UpsertCounts(inserted=inserted, updated=len(wanted) - inserted)

    def _resolve_refs(
        self, rows: Sequence[Mapping[str, Any]], refs: Mapping[str, Table]
    ) -> dict[str, dict[str, int]]:
        resolved: dict[str, dict[str, int]] = {}
        for name, target in refs.items():
            keys = sorted({str(r[name]) for r in rows if r.get(name) is not None})
            found: dict[str, int] = {}
            for part in chunks(keys):
                query = self.scoped(target, target.c.external_id, target.c.id).where(
                    target.c.external_id.in_(part)
                )
                found.update({str(ext): int(i) for ext, i in self.conn.execute(query)})
            missing = [k for k in keys if k not in found]
            if missing:
                raise KeyError(f"{name} {missing[0]!r} is not on file for this organization")
            resolved[name] = found
        return resolved

    def count(self, kind: str) -> int:
        table = KINDS[kind][0]
        return int(self.conn.execute(self.scoped(table, func.count())).scalar_one())

    def get(self, kind: str, external_id: str) -> dict[str, Any] | None:
        table = KINDS[kind][0]
        row = self.conn.execute(
            self.scoped(table).where(table.c.external_id == external_id)
        ).first()
        return None if row is None else dict(row._mapping)

    def unknown_references(
        self, kind: str, rows: Sequence[Mapping[str, Any]]
    ) -> list[tuple[int, str, str]]:
        """(row index, reference name, external id) of each reference not on file here."""
        refs = KINDS[kind][1]
        out: list[tuple[int, str, str]] = []
        for name, target in refs.items():
            keys = sorted({str(r[name]) for r in rows if r.get(name) is not None})
            found: set[str] = set()
            for part in chunks(keys):
                query = self.scoped(target, target.c.external_id).where(
                    target.c.external_id.in_(part)
                )
                found.update(str(ext) for ext in self.conn.execute(query).scalars())
            for index, row in enumerate(rows):
                value = row.get(name)
                if value is not None and str(value) not in found:
                    out.append((index, name, str(value)))
        return sorted(out)

    def providers_by_staff_id(self) -> dict[str, str]:
        """Staff id (the EMR's ``T-001``) -> provider external id, for this organization."""
        query = self.scoped(providers, providers.c.staff_id, providers.c.external_id).where(
            providers.c.staff_id.is_not(None)
        )
        return {str(staff): str(ext) for staff, ext in self.conn.execute(query)}

    def location_timezones(self) -> dict[str, str | None]:
        query = self.scoped(locations, locations.c.external_id, locations.c.timezone)
        return {str(ext): None if tz is None else str(tz) for ext, tz in self.conn.execute(query)}

    def organization_timezone(self) -> str:
        query = select(organizations.c.timezone).where(organizations.c.id == self.org_id)
        return str(self.conn.execute(query).scalar_one())

    def update_organization(self, values: Mapping[str, Any]) -> None:
        """Write the clinic's identifiers (NPI, TIN, taxonomy, time zone) on the tenant."""
        if values:
            statement = update(organizations).where(organizations.c.id == self.org_id)
            self.conn.execute(statement.values(**values))


class AppointmentRepository(MasterDataRepository):
    """Appointments (kept, no-show, late cancel, cancelled) by external id."""

    def upsert_appointments(self, rows: Sequence[Mapping[str, Any]]) -> UpsertCounts:
        return self.upsert("appointments", rows)
