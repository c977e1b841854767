"""Reads and writes of the front end of the cycle: patients' coverages and benefits
snapshots, authorizations with their terms, kept visits, plans of care with their events,
appointments and estimates. Everything is scoped to the unit of work's organization."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select

from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import (
    adjustments,
    appointments,
    authorizations,
    claim_payments,
    claims,
    coverages,
    locations,
    patients,
    payers,
    plans_of_care,
    visit_services,
    visits,
)
from ptrcm.store.tables.front_desk import (
    authorization_terms,
    benefit_snapshots,
    patient_estimates,
    plan_of_care_events,
)

Row = dict[str, Any]


class FrontDeskRepository(OrgScoped):
    def patient_id(self, external_id: str) -> int | None:
        query = self.scoped(patients, patients.c.id).where(patients.c.external_id == external_id)
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def patient_external_ids(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        query = self.scoped(patients, patients.c.id, patients.c.external_id).where(
            patients.c.id.in_(ids)
        )
        return {int(i): str(e) for i, e in self.conn.execute(query)}

    def patient(self, patient_id: int) -> Row:
        """The patient row (names, birth date, address: for a 270 inquiry)."""
        query = self.scoped(patients).where(patients.c.id == patient_id)
        return dict(self.conn.execute(query).one()._mapping)

    def location_external_id(self, location_id: int) -> str | None:
        query = self.scoped(locations, locations.c.external_id).where(locations.c.id == location_id)
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else str(found)

    def coverages(self, patient_id: int | None = None) -> list[Row]:
        """Coverages with the payer's external id and class, primary first."""
        query = (
            self.scoped(
                coverages,
                *coverages.c,
                payers.c.external_id.label("payer_external_id"),
                payers.c.payer_class,
                payers.c.name.label("payer_name"),
            )
            .join(payers, and_(payers.c.id == coverages.c.payer_id, payers.c.org_id == self.org_id))
            .order_by(coverages.c.patient_id, coverages.c.rank, coverages.c.id)
        )
        if patient_id is not None:
            query = query.where(coverages.c.patient_id == patient_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def coverage_by_member(self, member_id: str) -> Row | None:
        rows = [r for r in self.coverages() if (r["member_id"] or "") == member_id]
        return rows[0] if rows else None

    def add_snapshot(self, values: Mapping[str, Any]) -> int:
        row = self.new_row(**values)
        result = self.conn.execute(insert(benefit_snapshots).returning(benefit_snapshots.c.id), row)
        return int(result.scalar_one())

    def latest_snapshot(self, coverage_id: int, on_or_before: date | None = None) -> Row | None:
        query = (
            self.scoped(benefit_snapshots)
            .where(benefit_snapshots.c.coverage_id == coverage_id)
            .order_by(benefit_snapshots.c.verified_on.desc(), benefit_snapshots.c.id.desc())
        )
        if on_or_before is not None:
            query = query.where(benefit_snapshots.c.verified_on <= on_or_before)
        found = self.conn.execute(query.limit(1)).first()
        return None if found is None else dict(found._mapping)

    def snapshots(self, coverage_id: int) -> list[Row]:
        query = (
            self.scoped(benefit_snapshots)
            .where(benefit_snapshots.c.coverage_id == coverage_id)
            .order_by(benefit_snapshots.c.verified_on, benefit_snapshots.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def kept_visits(self, patient_id: int) -> list[Row]:
        """The patient's documented visits (a documented visit is a kept one), oldest first,
        with the payer's external id and the stored interchange record."""
        query = (
            self.scoped(
                visits,
                visits.c.id,
                visits.c.external_id,
                visits.c.date_of_service,
                visits.c.discipline,
                visits.c.location_id,
                visits.c.record,
                payers.c.external_id.label("payer_external_id"),
            )
            .join(payers, and_(payers.c.id == visits.c.payer_id, payers.c.org_id == self.org_id))
            .where(visits.c.patient_id == patient_id)
            .order_by(visits.c.date_of_service, visits.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def visit_codes(self, visit_ids: list[int]) -> dict[int, list[tuple[str, int | None]]]:
        """(code, units billed) of each visit's services."""
        out: dict[int, list[tuple[str, int | None]]] = {v: [] for v in visit_ids}
        if not visit_ids:
            return out
        query = self.scoped(
            visit_services, visit_services.c.visit_id, visit_services.c.code,
            visit_services.c.billed_units,
        ).where(visit_services.c.visit_id.in_(visit_ids))  # fmt: skip
        for visit_id, code, units in self.conn.execute(query):
            out[int(visit_id)].append((str(code), None if units is None else int(units)))
        return out

    def authorizations(self, patient_id: int) -> list[Row]:
        query = (
            self.scoped(
                authorizations,
                *authorizations.c,
                authorization_terms.c.units_authorized,
                authorization_terms.c.codes,
                payers.c.external_id.label("payer_external_id"),
            )
            .outerjoin(
                authorization_terms,
                authorization_terms.c.authorization_id == authorizations.c.id,
            )
            .outerjoin(payers, payers.c.id == authorizations.c.payer_id)
            .where(authorizations.c.patient_id == patient_id)
            .order_by(authorizations.c.start_date, authorizations.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def set_authorization_terms(self, authorization_id: int, units: int | None, codes: Any) -> None:
        self.conn.execute(
            authorization_terms.delete().where(
                authorization_terms.c.org_id == self.org_id,
                authorization_terms.c.authorization_id == authorization_id,
            )
        )
        row = self.new_row(authorization_id=authorization_id, units_authorized=units, codes=codes)
        self.conn.execute(insert(authorization_terms), row)

    def plans_of_care(self, patient_id: int) -> list[Row]:
        query = (
            self.scoped(plans_of_care)
            .where(plans_of_care.c.patient_id == patient_id)
            .order_by(plans_of_care.c.start_date, plans_of_care.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def plan_events(self, plan_id: int) -> list[Row]:
        query = (
            self.scoped(plan_of_care_events)
            .where(plan_of_care_events.c.plan_of_care_id == plan_id)
            .order_by(plan_of_care_events.c.on_date, plan_of_care_events.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def add_plan_event(self, plan_id: int, kind: str, on_date: date, note: str | None) -> int:
        row = self.new_row(plan_of_care_id=plan_id, kind=kind, on_date=on_date, note=note)
        table = plan_of_care_events
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def appointments(
        self, start: datetime, end: datetime, patient_id: int | None = None
    ) -> list[Row]:
        """Scheduled appointments starting in [start, end), with patient and location ids."""
        query = (
            self.scoped(
                appointments,
                appointments.c.id,
                appointments.c.patient_id,
                appointments.c.scheduled_start,
                appointments.c.discipline,
                appointments.c.status,
                locations.c.external_id.label("location"),
            )
            .outerjoin(locations, locations.c.id == appointments.c.location_id)
            .where(
                appointments.c.scheduled_start >= start,
                appointments.c.scheduled_start < end,
                appointments.c.status == "scheduled",
            )
            .order_by(appointments.c.scheduled_start, appointments.c.id)
        )
        if patient_id is not None:
            query = query.where(appointments.c.patient_id == patient_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def patients_with_activity(self, since: date, until: date | None = None) -> list[int]:
        """Patients with a visit from ``since`` through ``until`` (no end when None) or any
        scheduled appointment. A visit after ``until`` has not happened yet on that day."""
        seen = self.scoped(visits, visits.c.patient_id).where(visits.c.date_of_service >= since)
        if until is not None:
            seen = seen.where(visits.c.date_of_service <= until)
        booked = self.scoped(appointments, appointments.c.patient_id).where(
            appointments.c.status == "scheduled"
        )
        ids = {int(i) for i in self.conn.execute(seen.distinct()).scalars()}
        ids |= {int(i) for i in self.conn.execute(booked.distinct()).scalars()}
        return sorted(ids)

    def add_estimate(self, values: Mapping[str, Any]) -> int:
        table = patient_estimates
        row = self.new_row(**values)
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def estimates(self) -> list[Row]:
        query = self.scoped(patient_estimates).order_by(
            patient_estimates.c.date_of_service, patient_estimates.c.id
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def estimate_statuses(self, since: date) -> dict[tuple[int, date], str]:
        """The status of the latest estimate per (patient id, date of service) from
        ``since`` on."""
        pe = patient_estimates
        query = (
            self.scoped(pe, pe.c.patient_id, pe.c.date_of_service, pe.c.status)
            .where(pe.c.date_of_service >= since)
            .order_by(pe.c.id)
        )
        return {(int(pid), day): str(status) for pid, day, status in self.conn.execute(query)}

    def patient_responsibility_by_claim(self, patient_id: int) -> list[Row]:
        """Per claim of the patient: first date of service and the PR adjustments the 835s
        assigned (claim and line level; a reversal's negative amounts net out)."""
        total = func.sum(adjustments.c.amount).label("patient_owes")
        query = (
            select(claims.c.id, claims.c.pcn, claims.c.first_date_of_service, total)
            .select_from(claims)
            .join(
                claim_payments,
                and_(
                    claim_payments.c.claim_id == claims.c.id, claim_payments.c.org_id == self.org_id
                ),
            )
            .join(adjustments, adjustments.c.claim_payment_id == claim_payments.c.id)
            .where(
                claims.c.org_id == self.org_id,
                claims.c.patient_id == patient_id,
                adjustments.c.group_code == "PR",
            )
            .group_by(claims.c.id, claims.c.pcn, claims.c.first_date_of_service)
            .order_by(claims.c.first_date_of_service)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]
