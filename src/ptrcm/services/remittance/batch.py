"""A batch of posted 835 claims: their rows held in memory and written together.

Posting one claim used to cost a statement (and a round trip) per claim payment, line
payment, adjustment list, transition and work item. Here the claims of a batch are
gathered first and ``flush`` writes each table once: claim and line payments as one
multi-row ``INSERT … RETURNING`` each (ids come back in the rows' order, which is how
line payments, adjustments, remarks, underpayments and appeal links find their parents),
the rest as executemany. Everything stays inside the caller's transaction, so a failure
before the commit still leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.lifecycle import Transition
from ptrcm.domain.stored_claims import ClaimRecord
from ptrcm.domain.work_queue import WorkItem
from ptrcm.services.money_in_ports import MoneyInUnitOfWork
from ptrcm.services.remittance.appeals import AppealPayment, recover_appeals
from ptrcm.services.remittance.lines import MatchedLine

# (record, matched lines, line payment ids) -> underpaid lines queued
# the underpayment check of the posted claims: (record, matched lines, line payment ids)
Check = Callable[[Sequence[tuple[ClaimRecord, Sequence[MatchedLine], Sequence[int]]]], int]


@dataclass(slots=True)
class _Child:
    """A row that names its claim payment (and maybe line payment) by position."""

    payment: int
    line: int | None
    row: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HeldPayment:
    """A claim payment that may answer an appeal, by its position in the batch."""

    claim_id: int
    payment: int
    paid: Decimal
    in_full: bool
    day: date


@dataclass(slots=True)
class PostingBatch:
    """What a batch of claims will write; positions stand in for ids until ``flush``."""

    payments: list[dict[str, Any]] = field(default_factory=list)
    lines: list[_Child] = field(default_factory=list)
    children: list[tuple[str, _Child]] = field(default_factory=list)  # adjustment / remark
    ledger: list[LedgerEntry] = field(default_factory=list)
    transitions: list[tuple[int, int | None, Transition]] = field(default_factory=list)
    work: list[WorkItem] = field(default_factory=list)
    checks: list[tuple[ClaimRecord, Sequence[MatchedLine], list[int]]] = field(default_factory=list)
    paid: list[HeldPayment] = field(default_factory=list)
    ledger_entries: int = 0  # appended over the batch's life, flushed or not

    def __len__(self) -> int:
        return len(self.payments)

    def add_payment(self, row: dict[str, Any]) -> int:
        self.payments.append(row)
        return len(self.payments) - 1

    def add_line(self, payment: int, row: dict[str, Any]) -> int:
        self.lines.append(_Child(payment, None, row))
        return len(self.lines) - 1

    def add_child(self, kind: str, payment: int, line: int | None, row: dict[str, Any]) -> None:
        """An adjustment (``kind`` "adjustment") or remark ("remark") row."""
        self.children.append((kind, _Child(payment, line, row)))

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        self.ledger.extend(entries)
        self.ledger_entries += len(entries)

    def flush(self, uow: MoneyInUnitOfWork, check: Check) -> int:
        """Write everything held, parents first; returns the underpaid lines queued."""
        remits = uow.remits
        payment_ids = remits.add_claim_payments(self.payments)
        for c in self.lines:  # the held rows are the batch's own: completed in place
            c.row["claim_payment_id"] = payment_ids[c.payment]
        line_ids = remits.add_line_payments([c.row for c in self.lines])
        by_kind: dict[str, list[dict[str, Any]]] = {"adjustment": [], "remark": []}
        for kind, c in self.children:
            c.row["claim_payment_id"] = payment_ids[c.payment]
            c.row["line_payment_id"] = None if c.line is None else line_ids[c.line]
            by_kind[kind].append(c.row)
        remits.add_adjustments(by_kind["adjustment"])
        remits.add_remarks(by_kind["remark"])
        remits.add_ledger_entries(self.ledger)
        uow.claims.record_transitions(self.transitions)
        uow.work.add_many(self.work)
        found = check(
            [
                (record, matched, [line_ids[i] for i in lines])
                for record, matched, lines in self.checks
            ]
        )
        answers = [
            AppealPayment(p.claim_id, payment_ids[p.payment], p.paid, p.in_full, p.day)
            for p in self.paid
        ]
        recover_appeals(uow, answers)
        self.clear()
        return found

    def clear(self) -> None:
        for part in (self.payments, self.lines, self.children, self.ledger, self.transitions,
                     self.work, self.checks, self.paid):  # fmt: skip
            part.clear()
