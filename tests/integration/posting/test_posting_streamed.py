"""A file is posted a chunk of claims at a time (each chunk's claims and claim payments
read for it alone): the chunk size must change nothing. One file with every case that
depends on what came before in the file — the same claim twice, an unbalanced claim and
its balanced copy, a reversal and the payment after it, an unmatched claim, a denial, a
PLB, the same check twice — is posted with chunks of 1, 2 and 500 claims into three
organizations, and every row and message must be the same. SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ptrcm.services.remittance import posting
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_facts
from ptrcm.x12.remit835 import model as rm
from tests.integration.posting.builders import (
    cas,
    clp,
    plb,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)
from tests.integration.posting.test_duplicates import paid  # 47.20 after CO-45 and PR-2

D = Decimal
ONE = [("97110", 30)]
PCNS = ["V-1", "V-2", "V-3", "V-4"]


def unbalanced(pcn: str) -> rm.ClaimPayment:
    # paid 47.20 as ``paid`` says, but 110.00 - 50.00 - 11.80 = 48.20: same identity as a
    # balanced payment of the claim, which must still post after it
    return clp(pcn, "1", "110.00", "47.20",
               svc("97110", "110.00", "47.20", cas("CO", "45", "50.00"), cas("PR", "2", "11.80"),
                   line=1))  # fmt: skip


def reversal(pcn: str) -> rm.ClaimPayment:
    return clp(pcn, "22", "-110.00", "-47.20",
               svc("97110", "-110.00", "-47.20", cas("CO", "45", "-51.00"),
                   cas("PR", "2", "-11.80"), line=1))  # fmt: skip


def denied(pcn: str) -> rm.ClaimPayment:
    return clp(pcn, "4", "110.00", "0.00",
               svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1))  # fmt: skip


def the_file(tmp_path: Path) -> Path:
    first = [
        paid("V-1"),
        paid("V-1"),  # the same claim payment again: posted once
        unbalanced("V-2"),  # not posted, and not a claim payment a copy could repeat
        paid("V-2"),
        paid("X-9"),  # not our claim: unapplied
        denied("V-3"),
        reversal("V-1"),  # takes V-1's payment back ...
        paid("V-1"),  # ... so the same identity may be paid again
        paid("V-1"),  # but not twice
        paid("V-4", "PCN0004", "40.00"),
    ]
    total = D("47.20") * 6 - D("47.20") + D("40.00") + D("50.00") - D("10.00")
    one = remittance(first, str(total), [plb(("L6", "10.00", "INT1"))])
    other = remittance([paid("V-4", "PCN0005", "7.20")], "7.20", trace="EFT0002")
    return write(tmp_path, "streamed.835", one, other, one)  # the first check comes twice


def snapshot(store: Store, org: int, result: posting.PostingResult) -> dict[str, Any]:
    with uow(store, org) as work:
        ids = {r.id: pcn for pcn, r in work.claims.by_pcn(PCNS).items()}
        ledger = sorted(
            [(ids.get(e["claim_id"]), e["account"], e["amount"], e["segment_ref"], e["memo"],
              e["reverses_entry_id"] is not None) for e in work.ledger.entries()],
            key=repr,
        )  # fmt: skip
        payments = [(p["pcn"], p["status_code"], p["paid_amount"], p["segment_ref"])
                    for p in work.remits.claim_payments()]  # fmt: skip
        items = sorted(
            [(i["kind"], i["reason"], ids.get(i["claim_id"]), i["amount"])
             for kind in ("exception", "denial", "underpayment") for i in work.work.items(kind)],
            key=repr,
        )  # fmt: skip
        states = {pcn: work.claims.state_of(pcn) for pcn in PCNS}
        facts = sorted(
            [{k: (ids[v] if k == "claim_id" else v) for k, v in r._mapping.items()
              if k == "claim_id" or not (k == "id" or k.endswith("_id"))}  # row ids differ
             for r in work.connection.execute(select(claim_facts).where(
                 claim_facts.c.org_id == org))],
            key=repr,
        )  # fmt: skip
    counts = {k: getattr(result, k) for k in (
        "transactions", "claims", "posted", "unmatched", "unbalanced", "reversals", "denials",
        "underpayments", "paid", "provider_adjustments", "ledger_entries", "findings",
        "exceptions", "duplicates", "outcomes")}  # fmt: skip
    for o in counts["outcomes"]:
        o["claim_id"] = ids[int(o["claim_id"])]
    return {"result": counts, "ledger": ledger, "payments": payments, "items": items,
            "states": states, "facts": facts}  # fmt: skip


def test_the_chunk_size_changes_nothing_a_posting_does(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = the_file(tmp_path)
    found = {}
    for chunk in (500, 2, 1):
        org = seed(store, [visit(p, ONE) for p in PCNS], slug=f"clinic-{chunk}")
        monkeypatch.setattr(posting, "CLAIMS_PER_FLUSH", chunk)
        monkeypatch.setattr(posting, "CLAIMS_PER_REFRESH", 3 * chunk)  # facts mid-file too
        found[chunk] = snapshot(store, org, post(store, org, path))
    whole = found[500]
    assert whole["result"]["claims"] == 21 and whole["result"]["transactions"] == 2
    assert whole["result"]["unbalanced"] == 1 and whole["result"]["unmatched"] == 1
    assert len(whole["result"]["duplicates"]) == 3  # V-1 again, V-1 after the repay, the check
    assert whole["states"]["V-3"] == "denied" and len(whole["facts"]) == len(PCNS)
    assert found[2] == whole
    assert found[1] == whole


def test_a_long_file_refreshes_the_facts_as_it_goes_not_all_at_its_end(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The claims a posting touched are held until their facts are refreshed: every
    # CLAIMS_PER_REFRESH claims inside the file's one transaction, so that set stays
    # bounded however long the file (the facts themselves: the test above).
    from ptrcm.store import repository

    pcns = [f"V-{i}" for i in range(1, 13)]
    path = write(tmp_path, "twelve.835", remittance([paid(p) for p in pcns], str(D("47.20") * 12)))
    refreshed: list[int] = []
    real = repository.refresh_claim_facts

    def counting(conn: Any, org_id: int, ids: Any) -> None:
        refreshed.append(len(ids))
        real(conn, org_id, ids)

    monkeypatch.setattr(repository, "refresh_claim_facts", counting)
    monkeypatch.setattr(posting, "CLAIMS_PER_FLUSH", 1)
    found = {}
    for every in (2, 1000):
        monkeypatch.setattr(posting, "CLAIMS_PER_REFRESH", every)
        org = seed(store, [visit(p, ONE) for p in pcns], slug=f"clinic-{every}")
        refreshed.clear()
        assert post(store, org, path).posted == 12
        found[every] = list(refreshed)
    assert found[1000] == [12]  # all at the commit
    assert sum(found[2]) == 12 and max(found[2]) <= 3, found  # 2 or 3 at a time
