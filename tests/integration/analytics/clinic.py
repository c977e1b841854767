"""A tiny clinic built row by row through the store's tables, for the KPI tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from ptrcm.store.claim_facts import refresh_all_claim_facts
from ptrcm.store.tables import (
    adjustments,
    appeals,
    appointments,
    claim_lines,
    claim_payments,
    claim_transitions,
    claim_versions,
    claims,
    line_payments,
    locations,
    patient_payments,
    patients,
    payers,
    providers,
    remittance_files,
    remittance_transactions,
    scrub_runs,
    underpayments,
    visit_services,
    visits,
    work_items,
)
from ptrcm.store.visit_rollup import move_visits

D = Decimal


def at(day: str, hour: int = 12) -> datetime:
    """A UTC timestamp on ``day`` (ISO date) at ``hour``."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


class Clinic:
    def __init__(self, conn: Connection, org_id: int) -> None:
        self.conn, self.org_id = conn, org_id
        self.ids: dict[str, int] = {}
        self._n = itertools.count(1)

    def _add(self, table: Table, **values: Any) -> int:
        row = {"org_id": self.org_id, "created_at": at("2026-01-01"), **values}
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def payer(self, ext: str, payer_class: str) -> int:
        self.ids[ext] = self._add(payers, external_id=ext, name=ext, payer_class=payer_class)
        return self.ids[ext]

    def location(self, ext: str) -> int:
        self.ids[ext] = self._add(locations, external_id=ext, name=ext)
        return self.ids[ext]

    def provider(self, ext: str, npi: str) -> int:
        self.ids[ext] = self._add(
            providers, external_id=ext, npi=npi, name=ext, credential="PT", discipline="PT"
        )
        return self.ids[ext]

    def patient(self, ext: str) -> int:
        self.ids[ext] = self._add(patients, external_id=ext)
        return self.ids[ext]

    def visit(
        self, ext: str, patient: str, payer: str, dos: str, location: str, provider: str,
        codes: Sequence[str] = ("97110",),
    ) -> int:  # fmt: skip
        visit_id = self._add(
            visits, external_id=ext, patient_id=self.ids[patient], payer_id=self.ids[payer],
            provider_id=self.ids[provider], location_id=self.ids[location],
            date_of_service=date.fromisoformat(dos), discipline="PT", diagnoses=[], record={},
            updated_at=at(dos),
        )  # fmt: skip
        for number, code in enumerate(codes, start=1):
            self._add(visit_services, visit_id=visit_id, line_number=number, code=code)
        move_visits(self.conn, self.org_id, [visit_id], +1)  # as the visit writer does
        self.ids[ext] = visit_id
        return visit_id

    def claim(
        self, pcn: str, patient: str, payer: str, dos: str, charge: str, state: str,
        built: str, submitted: str | None = None, version: int = 1,
    ) -> int:  # fmt: skip
        claim_id = self._add(
            claims, pcn=pcn, patient_id=self.ids[patient], payer_id=self.ids[payer],
            state=state, total_charge=D(charge), first_date_of_service=date.fromisoformat(dos),
            last_date_of_service=date.fromisoformat(dos), current_version=version,
            created_at=at(built),
        )  # fmt: skip
        self.ids[pcn] = claim_id
        self.ids[f"{pcn}/v1"] = self._add(
            claim_versions, claim_id=claim_id, version_number=1, frequency_code="1",
            state=state, total_charge=D(charge),
            submitted_at=None if submitted is None else at(submitted),
        )  # fmt: skip
        return claim_id

    def line(self, pcn: str, code: str, charge: str, dos: str) -> int:
        return self._add(
            claim_lines, claim_version_id=self.ids[f"{pcn}/v1"], line_number=1,
            date_of_service=date.fromisoformat(dos), code=code, units=1,
            charge_amount=D(charge),
        )  # fmt: skip

    def transition(self, pcn: str, to_state: str, day: str) -> None:
        self._add(
            claim_transitions, claim_id=self.ids[pcn], actor="test", to_state=to_state,
            occurred_at=at(day),
        )  # fmt: skip

    def remit(
        self, pcn: str, paid_on: str, charge: str, paid: str, status: str = "1",
        adjust: Sequence[tuple[str, str, str]] = (),
    ) -> int:  # fmt: skip
        n = next(self._n)
        file_id = self._add(
            remittance_files, file_name=f"r{n}.835", sha256=f"{n:064d}", received_at=at(paid_on)
        )
        tx = self._add(
            remittance_transactions, remittance_file_id=file_id, payment_amount=D(paid),
            payment_date=date.fromisoformat(paid_on),
        )  # fmt: skip
        cp = self._add(
            claim_payments, transaction_id=tx, claim_id=self.ids[pcn], pcn=pcn,
            status_code=status, charge_amount=D(charge), paid_amount=D(paid),
        )  # fmt: skip
        for group, carc, amount in adjust:
            self._add(
                adjustments, claim_payment_id=cp, group_code=group, carc=carc, amount=D(amount)
            )
        return cp

    def appeal(
        self, pcn: str, submitted: str, decided: str | None, outcome: str, recovered: str | None
    ) -> None:
        self._add(
            appeals, claim_id=self.ids[pcn], deadline=date(2026, 12, 31),
            submitted_on=date.fromisoformat(submitted), outcome=outcome,
            decided_on=None if decided is None else date.fromisoformat(decided),
            recovered_amount=None if recovered is None else D(recovered),
        )  # fmt: skip

    def scrub(self, pcn: str, run: int, day: str, errors: int) -> None:
        self._add(
            scrub_runs, claim_id=self.ids[pcn], run_number=run, scrubbed_at=at(day), errors=errors
        )

    def patient_payment(self, pcn: str, patient: str, amount: str, day: str) -> None:
        self._add(
            patient_payments, patient_id=self.ids[patient], claim_id=self.ids[pcn],
            amount=D(amount), method="card", received_at=at(day),
        )  # fmt: skip

    def appointment(
        self, ext: str, patient: str, start: datetime, status: str, location: str, provider: str
    ) -> None:
        self._add(
            appointments, external_id=ext, patient_id=self.ids[patient], status=status,
            scheduled_start=start, location_id=self.ids[location], provider_id=self.ids[provider],
        )  # fmt: skip

    def refresh_facts(self) -> None:
        """Recompute every claim's facts, as ``ptrcm db refresh-facts`` does."""
        refresh_all_claim_facts(self.conn, self.org_id)

    def underpayment(self, pcn: str, cp: int, code: str, expected: str, actual: str) -> None:
        line_id = self.line(pcn, code, expected, "2026-03-02")
        lp = self._add(
            line_payments, claim_payment_id=cp, claim_line_id=line_id, code=code,
            charge_amount=D(expected), paid_amount=D(actual),
        )  # fmt: skip
        item = self._add(work_items, claim_id=self.ids[pcn], kind="underpayment")
        self._add(
            underpayments, work_item_id=item, claim_id=self.ids[pcn], line_payment_id=lp,
            code=code, expected_allowed=D(expected), actual_allowed=D(actual),
            variance=D(expected) - D(actual), schedule_name="contract",
        )  # fmt: skip
