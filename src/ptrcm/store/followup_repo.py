"""After the money: acknowledgment files, contract fee schedules (versioned), underpayment
details and appeals with the payments they brought back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from ptrcm.store.scoped import Clock, OrgScoped, chunks
from ptrcm.store.tables import (
    ack_files,
    acknowledgments,
    appeal_payments,
    appeals,
    claim_versions,
    edi_batches,
    fee_schedule_rates,
    fee_schedules,
    underpayments,
)


class AckRepository(OrgScoped):
    def file_id(self, sha256: str) -> int | None:
        query = self.scoped(ack_files, ack_files.c.id).where(ack_files.c.sha256 == sha256)
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def add_file(self, kind: str, file_name: str, sha256: str) -> int:
        row = self.new_row(
            kind=kind, file_name=file_name[-255:], sha256=sha256, received_at=self.clock()
        )
        return int(self.conn.execute(insert(ack_files).returning(ack_files.c.id), row).scalar_one())

    def batch_for(self, gs_control: int, st_control: int | None) -> int | None:
        """The 837 batch a 999 answers: same GS06, and the ST02 inside its range."""
        query = self.scoped(edi_batches, edi_batches.c.id).where(
            edi_batches.c.gs_control == gs_control
        )
        if st_control is not None:
            query = query.where(
                edi_batches.c.st_control_first <= st_control,
                edi_batches.c.st_control_last >= st_control,
            )
        found = self.conn.execute(query.order_by(edi_batches.c.id.desc())).first()
        return None if found is None else int(found[0])

    def record(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            received = self.clock()
            items = [self.new_row(received_at=received, **r) for r in rows]
            self.conn.execute(insert(acknowledgments), items)
            self.touch_claims(r.get("claim_id") for r in rows)
            batches = sorted({int(r["batch_id"]) for r in rows if r.get("batch_id") is not None})
            for part in chunks(batches):  # a 999 answers a whole batch
                owners = self.scoped(claim_versions, claim_versions.c.claim_id).where(
                    claim_versions.c.batch_id.in_(part)
                )
                self.touch_claims(self.conn.execute(owners).scalars())

    def items(self) -> list[dict[str, Any]]:
        query = self.scoped(acknowledgments).order_by(acknowledgments.c.id)
        return [dict(r._mapping) for r in self.conn.execute(query)]


class ContractRepository(OrgScoped):
    def __init__(self, conn: Connection, org_id: int, actor: str, clock: Clock) -> None:
        super().__init__(conn, org_id, actor, clock)
        self._versions: dict[int, list[dict[str, Any]]] = {}  # by payer, newest first
        self._rates: dict[int, dict[str, Decimal]] = {}  # by schedule id

    def add_schedule(
        self,
        payer_id: int,
        name: str,
        source_file: str,
        sha256: str,
        rates: Mapping[str, Decimal],
        parameters: Mapping[str, Any],
        effective_from: date | None = None,
    ) -> tuple[int, int]:
        """A new version of the payer's schedule; returns (schedule id, version)."""
        latest = self.conn.execute(
            self.scoped(fee_schedules, func.max(fee_schedules.c.version)).where(
                fee_schedules.c.payer_id == payer_id
            )
        ).scalar_one()
        version = 1 if latest is None else int(latest) + 1
        self._versions.pop(payer_id, None)
        row = self.new_row(
            payer_id=payer_id,
            name=name[:120],
            version=version,
            effective_from=effective_from,
            source_file=source_file[-255:],
            sha256=sha256,
            parameters=dict(parameters),
        )
        table = fee_schedules
        schedule_id = int(self.conn.execute(insert(table).returning(table.c.id), row).scalar_one())
        items = [
            self.new_row(schedule_id=schedule_id, code=code, allowed=amount)
            for code, amount in sorted(rates.items())
        ]
        if items:
            self.conn.execute(insert(fee_schedule_rates), items)
        return schedule_id, version

    def current(self, payer_id: int, on: date | None = None) -> dict[str, Any] | None:
        """The newest schedule version of the payer in force on ``on``, with its rates.

        A payer's versions and a version's rates are read once per unit of work (posting
        asks per claim date; schedules change only through ``add_schedule``, which
        forgets them)."""
        versions = self._versions.get(payer_id)
        if versions is None:
            query = self.scoped(fee_schedules).where(fee_schedules.c.payer_id == payer_id)
            rows = self.conn.execute(query.order_by(fee_schedules.c.version.desc()))
            versions = self._versions[payer_id] = [dict(r._mapping) for r in rows]
        head = next(
            (v for v in versions if on is None or v["effective_from"] is None
             or v["effective_from"] <= on),
            None,
        )  # fmt: skip
        if head is None:
            return None
        rates = self._rates.get(head["id"])
        if rates is None:
            found = self.conn.execute(
                select(fee_schedule_rates.c.code, fee_schedule_rates.c.allowed).where(
                    fee_schedule_rates.c.org_id == self.org_id,
                    fee_schedule_rates.c.schedule_id == head["id"],
                )
            )
            rates = self._rates[head["id"]] = {str(c): a for c, a in found}
        return {**head, "rates": dict(rates)}


class UnderpaymentRepository(OrgScoped):
    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(underpayments), [self.new_row(**r) for r in rows])

    def items(self, claim_id: int | None = None) -> list[dict[str, Any]]:
        query = self.scoped(underpayments).order_by(underpayments.c.id)
        if claim_id is not None:
            query = query.where(underpayments.c.claim_id == claim_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def checked_lines(self, line_payment_ids: Sequence[int]) -> set[int]:
        query = self.scoped(underpayments, underpayments.c.line_payment_id).where(
            underpayments.c.line_payment_id.in_(list(line_payment_ids))
        )
        return {int(i) for i in self.conn.execute(query).scalars()}


class AppealRepository(OrgScoped):
    def add(
        self, claim_id: int, work_item_id: int | None, deadline: date, letter: str | None = None
    ) -> int:
        row = self.new_row(
            claim_id=claim_id,
            work_item_id=work_item_id,
            level=1,
            deadline=deadline,
            letter=letter,
            outcome="pending",
        )
        return int(self.conn.execute(insert(appeals).returning(appeals.c.id), row).scalar_one())

    def for_claim(self, claim_id: int) -> list[dict[str, Any]]:
        query = self.scoped(appeals).where(appeals.c.claim_id == claim_id).order_by(appeals.c.id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def decide(self, appeal_id: int, outcome: str, amount: Decimal | None, on: date) -> None:
        self.conn.execute(
            update(appeals)
            .where(appeals.c.org_id == self.org_id, appeals.c.id == appeal_id)
            .values(outcome=outcome, recovered_amount=amount, decided_on=on)
        )

    def mark_sent(self, appeal_id: int, on: date, method: str, letter: str | None) -> None:
        """The appeal went out on ``on`` by ``method``; ``letter``: the text as sent."""
        values: dict[str, Any] = {"submitted_on": on, "sent_method": method}
        if letter is not None:
            values["letter"] = letter
        sent = self.conn.execute(
            update(appeals)
            .where(appeals.c.org_id == self.org_id, appeals.c.id == appeal_id)
            .values(**values)
            .returning(appeals.c.claim_id)
        )
        self.touch_claims(sent.scalars())  # the claim's denial follow-up (claim facts)

    def unanswered(self, claim_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Pending and won appeals of these claims that no payment answered yet, oldest
        first: ``id``, ``claim_id``, ``outcome``, ``recovered_amount``, ``decided_on``."""
        linked = select(appeal_payments.c.appeal_id).where(appeal_payments.c.org_id == self.org_id)
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(claim_ids))):
            query = self.scoped(
                appeals, appeals.c.id, appeals.c.claim_id, appeals.c.outcome,
                appeals.c.recovered_amount, appeals.c.decided_on,
            ).where(
                appeals.c.claim_id.in_(part),
                appeals.c.outcome.in_(("pending", "overturned", "partial")),
                appeals.c.id.not_in(linked),
            )  # fmt: skip
            out.extend(dict(r._mapping) for r in self.conn.execute(query.order_by(appeals.c.id)))
        return out

    def link(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Record (appeal id, claim payment id): the payment that answered the appeal."""
        rows = [self.new_row(appeal_id=a, claim_payment_id=p) for a, p in pairs]
        if rows:
            self.conn.execute(insert(appeal_payments), rows)

    def payments(self, appeal_id: int) -> list[int]:
        query = self.scoped(appeal_payments, appeal_payments.c.claim_payment_id).where(
            appeal_payments.c.appeal_id == appeal_id
        )
        return [int(i) for i in self.conn.execute(query).scalars()]

    def all(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.conn.execute(self.scoped(appeals))]
