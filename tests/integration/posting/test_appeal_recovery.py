"""A later 835 that pays an appealed claim answers the appeal: the payment is linked and
what it paid is the amount recovered, so the appeal recovery KPI counts it. SQLite and
PostgreSQL.

Claim V-1: 97110, 110.00, denied in full (CO-50); later paid 47.20 (CO-45 51.00, PR-2
11.80). Claim V-2: 97110 110.00 + 97140 56.00, denied in full; later paid 47.20 on 97110
with 97140 still denied (CO-50): a partial recovery.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ptrcm.analytics import Scope
from ptrcm.analytics.claims_kpis import appeal_recovery
from ptrcm.analytics.filters import KpiFilters
from ptrcm.services.remittance.appeals import appeal_letter, record_outcome
from ptrcm.store.repository import Store
from tests.integration.posting.builders import (
    CONTEXT,
    PAID_ON,
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)

D = Decimal
ONE = [("97110", 30)]
TWO = [("97110", 30), ("97140", 15)]
DENIED = clp(
    "V-1",
    "4",
    "110.00",
    "0.00",
    svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1, remarks=("N115",)),
)
PAID = clp(
    "V-1",
    "1",
    "110.00",
    "47.20",
    svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    payer_claim="PCN0002",
)


def _appeal(store: Store, org: int) -> dict[str, object]:
    with uow(store, org) as work:
        (appeal,) = work.appeals.all()
        appeal["payments"] = work.appeals.payments(int(appeal["id"]))
        return appeal


def _kpi(store: Store, org: int, start: date, end: date) -> tuple[int, int, Decimal, Decimal]:
    with store.engine.connect() as conn:
        found = appeal_recovery(Scope(conn, org), KpiFilters(start, end))
    return found.decided, found.recovered, found.appealed_amount, found.recovered_amount


def test_a_won_appeal_recorded_without_an_amount_recovers_what_the_later_835_paid(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE)])
    post(store, org, write(tmp_path, "denied.835", remittance([DENIED], "0.00")))
    appeal_letter(lambda: uow(store, org), "V-1", date(2026, 4, 1), CONTEXT.config, CONTEXT.catalog)
    record_outcome(lambda: uow(store, org), "V-1", "won", D("0.00"), date(2026, 5, 1))
    assert _kpi(store, org, date(2026, 5, 1), date(2026, 5, 31)) == (1, 1, D("110.00"), D("0"))
    post(store, org, write(tmp_path, "paid.835", remittance([PAID], "47.20", trace="EFT0002")))
    appeal = _appeal(store, org)
    assert (appeal["outcome"], appeal["recovered_amount"]) == ("overturned", D("47.20"))
    assert appeal["decided_on"] == date(2026, 5, 1) and len(appeal["payments"]) == 1  # type: ignore[arg-type]
    decided, won, appealed, recovered = _kpi(store, org, date(2026, 5, 1), date(2026, 5, 31))
    assert (decided, won, appealed, recovered) == (1, 1, D("110.00"), D("47.20"))


def test_a_pending_appeal_is_decided_overturned_by_the_835_that_pays_the_claim_in_full(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE)])
    post(store, org, write(tmp_path, "denied.835", remittance([DENIED], "0.00")))
    appeal_letter(lambda: uow(store, org), "V-1", date(2026, 4, 1), CONTEXT.config, CONTEXT.catalog)
    assert _appeal(store, org)["outcome"] == "pending"
    post(store, org, write(tmp_path, "paid.835", remittance([PAID], "47.20", trace="EFT0002")))
    appeal = _appeal(store, org)
    assert (appeal["outcome"], appeal["recovered_amount"], appeal["decided_on"]) == (
        "overturned",
        D("47.20"),
        PAID_ON,
    )
    assert _kpi(store, org, PAID_ON, PAID_ON) == (1, 1, D("110.00"), D("47.20"))


def test_a_pending_appeal_paid_in_part_is_decided_partial(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-2", TWO)])
    denied = clp(
        "V-2",
        "4",
        "166.00",
        "0.00",
        svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1, remarks=("N115",)),
        svc("97140", "56.00", "0.00", cas("CO", "50", "56.00"), line=2, remarks=("N115",)),
    )
    post(store, org, write(tmp_path, "denied.835", remittance([denied], "0.00")))
    appeal_letter(lambda: uow(store, org), "V-2", date(2026, 4, 1), CONTEXT.config, CONTEXT.catalog)
    partly = clp(
        "V-2",
        "1",
        "166.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
        svc("97140", "56.00", "0.00", cas("CO", "50", "56.00"), line=2),
        payer_claim="PCN0002",
    )
    post(store, org, write(tmp_path, "partly.835", remittance([partly], "47.20", trace="EFT0002")))
    appeal = _appeal(store, org)
    assert (appeal["outcome"], appeal["recovered_amount"]) == ("partial", D("47.20"))
    # Denied on the appealed claim: 166.00 first, 56.00 again on the second remittance.
    assert _kpi(store, org, PAID_ON, PAID_ON) == (1, 1, D("222.00"), D("47.20"))
