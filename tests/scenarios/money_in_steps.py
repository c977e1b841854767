"""The money-in scenarios' vocabulary: the steps a biller (or the payer) takes, the 835
claims they send, and ``seed`` / ``observe``, which store a scenario's claims and read back
what a backend holds in the table's notation (claims by CLM01, lines by number, a reversal
by the position of the entry it reverses, amounts as cents strings)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.services.claims.acks import post_acknowledgment
from ptrcm.services.claims.building import build_claim
from ptrcm.services.remittance.appeals import appeal_letter, record_outcome
from ptrcm.services.remittance.posting import PostingOptions, post_remittance
from ptrcm.services.remittance.underpayments import import_contract
from ptrcm.x12.remit835 import model as rm
from tests.integration.posting.builders import (
    CONTEXT,
    ack_277ca,
    ack_999,
    cas,
    clp,
    svc,
    visit,
    write,
)
from tests.scenarios.backends import Factory

D = Decimal
OPTIONS = PostingOptions(CONTEXT.config, CONTEXT.catalog)

# (claim, line number, account, amount, memo, position of the entry it reverses)
Entry = tuple[str | None, int | None, str, str, str, int | None]
# (kind, claim, amount, due date, CARC, state, reason)
Item = tuple[str, str | None, str | None, date | None, str | None, str, str]
# (claim, outcome, amount recovered, decided on, payments linked)
Appeal = tuple[str, str, str | None, date | None, int]
Services = tuple[tuple[str, int], ...]  # (code, minutes) of a visit


# --- steps: what a biller (or the payer) does, in order ---


@dataclass(frozen=True)
class Post835:
    name: str
    remits: tuple[rm.Remittance, ...]

    def run(self, work: Factory, tmp: Path) -> None:
        post_remittance(work, write(tmp, self.name, *self.remits), OPTIONS)


@dataclass(frozen=True)
class Letter:
    pcn: str
    on: date

    def run(self, work: Factory, tmp: Path) -> None:
        appeal_letter(work, self.pcn, self.on, CONTEXT.config, CONTEXT.catalog)


@dataclass(frozen=True)
class Outcome:
    pcn: str
    outcome: str
    amount: str
    on: date

    def run(self, work: Factory, tmp: Path) -> None:
        record_outcome(work, self.pcn, self.outcome, D(self.amount), self.on)


@dataclass(frozen=True)
class Ack999:
    gs: int
    st: int
    status: str

    def run(self, work: Factory, tmp: Path) -> None:
        post_acknowledgment(work, ack_999(tmp, self.gs, self.st, self.status))


@dataclass(frozen=True)
class Ack277:
    pcn: str
    category: str
    status: str

    def run(self, work: Factory, tmp: Path) -> None:
        post_acknowledgment(work, ack_277ca(tmp, self.pcn, self.category, self.status))


@dataclass(frozen=True)
class Contract:
    rates: str  # CSV body, "code,allowed" lines
    terms: tuple[tuple[str, Any], ...]

    def run(self, work: Factory, tmp: Path) -> None:
        path = tmp / "medicare-2026.csv"
        path.write_text(f"code,allowed\n{self.rates}", encoding="utf-8")
        import_contract(work, "MEDICARE", path, dict(self.terms))


Step = Post835 | Letter | Outcome | Ack999 | Ack277 | Contract


# --- the 835 claims the steps send ---


def paid(pcn: str, payer_claim: str = "PCN0001") -> rm.ClaimPayment:
    """ONE paid: allowed 59.00 = 47.20 paid + 11.80 coinsurance; 110.00 - 51.00 - 11.80."""
    return clp(
        pcn,
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
        payer_claim=payer_claim,
    )


def denied(pcn: str, *lines: tuple[str, str, int]) -> rm.ClaimPayment:
    """Denied in full, CO-50 (not medically necessary) with RARC N115 on every line."""
    services = [
        svc(code, charge, "0.00", cas("CO", "50", charge), line=n, remarks=("N115",))
        for code, charge, n in lines
    ]
    total = sum((D(charge) for _code, charge, _n in lines), D("0.00"))
    return clp(pcn, "4", str(total), "0.00", *services)


BUNDLED = clp(
    "V-1",
    "1",
    "166.00",
    "47.20",
    svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    svc("97140", "56.00", "0.00", cas("CO", "97", "56.00"), line=2),
    responsibility="11.80",
)
REVERSAL = clp(
    "V-3",
    "22",
    "-110.00",
    "-47.20",
    svc("97110", "-110.00", "-47.20", cas("CO", "45", "-51.00"), cas("PR", "2", "-11.80"), line=1),
)
REPAID = clp(  # 110.00 - 48.00 - 12.00 = 50.00
    "V-3",
    "1",
    "110.00",
    "50.00",
    svc("97110", "110.00", "50.00", cas("CO", "45", "48.00"), cas("PR", "2", "12.00"), line=1),
    payer_claim="PCN0002",
)
PARTLY = clp(  # the appealed V-2: 97110 paid, 97140 still denied
    "V-2",
    "1",
    "166.00",
    "47.20",
    svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    svc("97140", "56.00", "0.00", cas("CO", "50", "56.00"), line=2),
    payer_claim="PCN0002",
)
SHORT = clp(  # allowed 44.00 + 11.00 = 55.00 against 2 x 30.00 contracted
    "V-20",
    "1",
    "110.00",
    "44.00",
    svc(
        "97110",
        "110.00",
        "44.00",
        cas("CO", "45", "55.00"),
        cas("PR", "2", "11.00"),
        line=1,
        units="2",
    ),
)


def seed(
    work: Factory, visits: Sequence[tuple[str, Services]], batch: tuple[int, int] | None
) -> None:
    """The visits stored and their claims stored as submitted; with ``batch`` (GS06, ST02)
    all of them in one 837 batch."""
    records = [visit(visit_id, services) for visit_id, services in visits]
    parsed = [parse_visit(r, "seed", n) for n, r in enumerate(records, start=1)]
    claims = [build_claim(v, CONTEXT.config, CONTEXT.catalog) for v in parsed]
    with work() as uow:
        uow.visits.upsert([SourcedVisit(v, "seed", n) for n, v in enumerate(parsed, start=1)])
        batch_id = None
        if batch is not None:
            gs, st = batch
            total = sum((c.total_charge.amount for c in claims), D("0.00"))
            batch_id = uow.claims.add_batch(
                "837P", f"b{gs}.837", gs, gs, st, st, len(claims), total
            )
        uow.claims.add_claims(claims, state="submitted", batch_id=batch_id)
        uow.commit()


@dataclass
class Observed:
    """What a backend holds after a scenario."""

    ledger: list[Entry]
    states: dict[str, tuple[str, ...]]
    current: dict[str, str]
    work: list[Item]
    appeals: list[Appeal]
    dates: set[date]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def observe(work: Factory, pcns: list[str]) -> Observed:
    """What the backend holds about these claims, in the table's notation."""
    with work() as uow:
        records = uow.claims.by_pcn(pcns)
        pcn_of = {r.id: r.pcn for r in records.values()}
        line_of = {line.id: line.line_number for r in records.values() for line in r.lines}
        entries = uow.ledger.entries()
        at = {e["id"]: n for n, e in enumerate(entries, start=1)}
        ledger = [
            (
                pcn_of.get(e["claim_id"]),
                line_of.get(e["claim_line_id"]),
                e["account"],
                _money(e["amount"]),
                e["memo"],
                at.get(e["reverses_entry_id"]),
            )
            for e in entries
        ]
        states = {
            p: tuple(t["to_state"] for t in uow.claims.transitions(r.id))
            for p, r in records.items()
        }
        items = [
            (
                i["kind"],
                pcn_of.get(i["claim_id"]),
                _money(i["amount"]),
                i["due_date"],
                i["carc"],
                i["state"],
                i["reason"],
            )
            for i in uow.work.items()
        ]
        appeals = [
            (
                pcn_of[a["claim_id"]],
                a["outcome"],
                _money(a["recovered_amount"]),
                a["decided_on"],
                len(uow.appeals.payments(int(a["id"]))),
            )
            for a in sorted(uow.appeals.all(), key=lambda a: int(a["id"]))
        ]
        current = {p: r.state for p, r in records.items()}
    return Observed(ledger, states, current, items, appeals, {e["effective_date"] for e in entries})
