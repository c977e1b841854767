"""Posting writes a chunk of claims at a time: ids must still join every row to its parent,
across chunk boundaries, on SQLite and PostgreSQL.

Each claim V-0000 … V-0520 has one 97110 line charged 110.00 (the visit has 30 minutes);
claim i is paid 40.00 + i cents, the rest is CO-45, so every claim's amounts differ.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ptrcm.store.repository import Store
from ptrcm.store.scoped import CHUNK
from ptrcm.store.tables import adjustments, claim_payments, claims, line_payments
from ptrcm.x12.remit835 import model as rm
from tests.integration.posting.builders import cas, clp, post, remittance, seed, svc, uow, visit
from tests.integration.posting.builders import write as write_file

COUNT = CHUNK + 21
CHARGE = Decimal("110.00")


def paid(i: int) -> Decimal:
    return Decimal("40.00") + Decimal(i) / 100


def pcn(i: int) -> str:
    return f"V-{i:04d}"


def claim(i: int) -> rm.ClaimPayment:
    amount = paid(i)
    rest = str(CHARGE - amount)
    return clp(pcn(i), "1", "110.00", str(amount),
               svc("97110", "110.00", str(amount), cas("CO", "45", rest), line=1))  # fmt: skip


def test_every_row_of_a_file_longer_than_a_chunk_joins_to_its_own_claim(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit(pcn(i), [("97110", 30)]) for i in range(COUNT)])
    total = sum((paid(i) for i in range(COUNT)), Decimal("0.00"))
    path = write_file(tmp_path, "big.835", remittance([claim(i) for i in range(COUNT)], str(total)))
    result = post(store, org, path)
    assert (result.posted, result.paid, result.exceptions) == (COUNT, total, [])
    query = (
        select(claims.c.pcn, claim_payments.c.paid_amount, line_payments.c.paid_amount,
               adjustments.c.amount, adjustments.c.line_payment_id == line_payments.c.id)
        .join(claim_payments, claim_payments.c.claim_id == claims.c.id)
        .join(line_payments, line_payments.c.claim_payment_id == claim_payments.c.id)
        .join(adjustments, adjustments.c.claim_payment_id == claim_payments.c.id)
        .where(claims.c.org_id == org)
    )  # fmt: skip
    with uow(store, org) as work:
        rows = list(work.connection.execute(query))
        states = {work.claims.state_of(pcn(i)) for i in (0, CHUNK - 1, CHUNK, COUNT - 1)}
    assert len(rows) == COUNT
    for number, claim_paid, line_paid, co45, same_line in rows:
        i = int(number[2:])
        assert (claim_paid, line_paid, co45, same_line) == (
            paid(i),
            paid(i),
            CHARGE - paid(i),
            True,
        )
    assert states == {"paid"}
