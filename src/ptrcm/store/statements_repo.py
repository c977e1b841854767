"""Patient statements: the ledger entries behind a patient's balance, the claim lines they
belong to, issued statements and their issues (a corrected statement names the one it
replaces), and patient payments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update

from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import (
    claim_lines,
    claims,
    ledger_entries,
    patient_payments,
    patients,
    statements,
)
from ptrcm.store.tables.front_desk import statement_issues

PATIENT_ACCOUNTS = ("patient_responsibility", "patient_payment", "patient_refund")
Row = dict[str, Any]


class StatementRepository(OrgScoped):
    def claim_entries(self, patient_id: int) -> list[Row]:
        """Every ledger entry of the patient's claims, and the patient's own entries
        without a claim (unapplied payments, refunds), with the claim's date and PCN."""
        query = (
            select(
                ledger_entries,
                claims.c.pcn,
                claims.c.first_date_of_service.label("claim_date"),
            )
            .select_from(ledger_entries)
            .outerjoin(
                claims,
                and_(claims.c.id == ledger_entries.c.claim_id, claims.c.org_id == self.org_id),
            )
            .where(
                ledger_entries.c.org_id == self.org_id,
                or_(
                    claims.c.patient_id == patient_id,
                    and_(
                        ledger_entries.c.claim_id.is_(None),
                        ledger_entries.c.patient_id == patient_id,
                    ),
                ),
            )
            .order_by(ledger_entries.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def lines(self, line_ids: list[int]) -> dict[int, Row]:
        if not line_ids:
            return {}
        query = self.scoped(claim_lines).where(claim_lines.c.id.in_(line_ids))
        return {int(r.id): dict(r._mapping) for r in self.conn.execute(query)}

    def patient_balance(self, patient_id: int) -> Decimal:
        """The ledger's patient balance: responsibility, payments and refunds, summed."""
        query = self.scoped(ledger_entries, func.sum(ledger_entries.c.amount)).where(
            ledger_entries.c.patient_id == patient_id,
            ledger_entries.c.account.in_(PATIENT_ACCOUNTS),
        )
        total = self.conn.execute(query).scalar_one()
        return Decimal("0.00") if total is None else Decimal(total)

    def patients(self, ids: list[int]) -> list[Row]:
        """The patient rows with these ids."""
        if not ids:
            return []
        query = self.scoped(patients).where(patients.c.id.in_(ids))
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def patients_with_balance(self) -> list[int]:
        query = (
            self.scoped(ledger_entries, ledger_entries.c.patient_id)
            .where(
                ledger_entries.c.account.in_(PATIENT_ACCOUNTS),
                ledger_entries.c.patient_id.is_not(None),
            )
            .group_by(ledger_entries.c.patient_id)
            .having(func.sum(ledger_entries.c.amount) != 0)
            .order_by(ledger_entries.c.patient_id)
        )
        return [int(p) for p in self.conn.execute(query).scalars()]

    def add_statement(self, values: Mapping[str, Any]) -> int:
        row = self.new_row(**values)
        return int(
            self.conn.execute(insert(statements).returning(statements.c.id), row).scalar_one()
        )

    def add_issue(self, values: Mapping[str, Any]) -> int:
        table = statement_issues
        row = self.new_row(**values)
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())

    def set_state(self, statement_id: int, state: str) -> None:
        self.conn.execute(
            update(statements)
            .where(statements.c.org_id == self.org_id, statements.c.id == statement_id)
            .values(state=state)
        )

    def statements(self, patient_id: int) -> list[Row]:
        query = (
            self.scoped(
                statements,
                *statements.c,
                statement_issues.c.replaces_statement_id,
                statement_issues.c.lines,
                statement_issues.c.reason,
            )
            .outerjoin(statement_issues, statement_issues.c.statement_id == statements.c.id)
            .where(statements.c.patient_id == patient_id)
            .order_by(statements.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def add_payment(
        self,
        patient_id: int,
        amount: Decimal,
        method: str,
        reference: str | None,
        received_at: datetime,
        claim_id: int | None,
        statement_id: int | None,
    ) -> int:
        row = self.new_row(
            patient_id=patient_id, amount=amount, method=method, reference=reference,
            received_at=received_at, claim_id=claim_id, statement_id=statement_id,
        )  # fmt: skip
        table = patient_payments
        self.touch_claims([claim_id])
        return int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
