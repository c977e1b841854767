"""Money in, one table of scenarios on three backends: the real services (835 posting,
appeals, 999/277CA acknowledgments, contract underpayments) run on the in-memory fake
(no database), SQLite and PostgreSQL, and each must leave the same ledger entries, claim
transitions, work items and appeals, to the cent.

Claims (Medicare, DOS 2026-03-02, made by the claim builder): ONE is line 1, 97110 GP x2,
110.00; TWO adds line 2, 97140 GP x1, 56.00 (166.00). The remittances are dated
2026-03-20, so a Medicare denial's appeal is due 2026-07-23 (5 days' presumed receipt plus
120 days for a redetermination).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from tests.integration.posting.builders import PAID_ON, plb, remittance
from tests.scenarios.backends import BACKENDS, Factory, money_in
from tests.scenarios.money_in_steps import (
    BUNDLED,
    PARTLY,
    REPAID,
    REVERSAL,
    SHORT,
    Ack277,
    Ack999,
    Appeal,
    Contract,
    Entry,
    Item,
    Letter,
    Outcome,
    Post835,
    Services,
    Step,
    denied,
    observe,
    paid,
    seed,
)

ONE: Services = (("97110", 30),)
TWO: Services = (("97110", 30), ("97140", 15))
DUE = date(2026, 7, 23)
PAID_ENTRIES: tuple[Entry, ...] = (
    ("V-1", 1, "payer_payment", "47.20", "SVC 97110 paid", None),
    ("V-1", 1, "adjustment_CO", "51.00", "CO-45", None),
    ("V-1", 1, "patient_responsibility", "11.80", "PR-2", None),
)
DENIAL_50 = "medical_necessity (appeal)"


@dataclass(frozen=True)
class Scenario:
    name: str
    visits: tuple[tuple[str, Services], ...]
    steps: tuple[Step, ...]
    ledger: tuple[Entry, ...] = ()
    states: dict[str, tuple[str, ...]] = field(default_factory=dict)  # states moved through
    work: tuple[Item, ...] = ()
    appeals: tuple[Appeal, ...] = ()
    batch: tuple[int, int] | None = None  # (GS06, ST02) of the 837 the claims went out in


SCENARIOS = [
    Scenario(
        "a payment in full posts the payment, the contractual and the coinsurance",
        (("V-1", ONE),),
        (Post835("a.835", (remittance([paid("V-1")], "47.20"),)),),
        PAID_ENTRIES,
        {"V-1": ("paid",)},
    ),
    Scenario(
        "the same file posted twice is posted once",
        (("V-1", ONE),),
        (Post835("a.835", (remittance([paid("V-1")], "47.20"),)),) * 2,
        PAID_ENTRIES,
        {"V-1": ("paid",)},
    ),
    Scenario(
        "a partial payment with a bundled line queues the line's denial with its deadline",
        (("V-1", TWO),),
        (Post835("b.835", (remittance([BUNDLED], "47.20"),)),),
        (*PAID_ENTRIES, ("V-1", 2, "adjustment_CO", "56.00", "CO-97", None)),
        {"V-1": ("partially_paid",)},
        (
            (
                "denial",
                "V-1",
                "56.00",
                DUE,
                "97",
                "open",
                "claim V-1: denied 56.00 CARC 97; bundling_ncci (correct_and_resubmit)",
            ),
        ),
    ),
    Scenario(
        "a denial in full goes to the denial queue with its dollars and remark",
        (("V-2", ONE),),
        (Post835("c.835", (remittance([denied("V-2", ("97110", "110.00", 1))], "0.00"),)),),
        (("V-2", 1, "adjustment_CO", "110.00", "CO-50 RARC N115", None),),
        {"V-2": ("denied",)},
        (
            (
                "denial",
                "V-2",
                "110.00",
                DUE,
                "50",
                "open",
                f"claim V-2: denied 110.00 CARC 50; {DENIAL_50}; RARC N115",
            ),
        ),
    ),
    Scenario(
        "a reversal (CLP02 22) adds entries naming what they reverse, then the claim is repaid",
        (("V-3", ONE),),
        (
            Post835("d1.835", (remittance([paid("V-3")], "47.20"),)),
            Post835("d2.835", (remittance([REVERSAL, REPAID], "2.80", trace="EFT0002"),)),
        ),
        (
            ("V-3", 1, "payer_payment", "47.20", "SVC 97110 paid", None),
            ("V-3", 1, "adjustment_CO", "51.00", "CO-45", None),
            ("V-3", 1, "patient_responsibility", "11.80", "PR-2", None),
            ("V-3", 1, "payer_payment", "-47.20", "SVC 97110 paid", 1),
            ("V-3", 1, "adjustment_CO", "-51.00", "CO-45", 2),
            ("V-3", 1, "patient_responsibility", "-11.80", "PR-2", 3),
            ("V-3", 1, "payer_payment", "50.00", "SVC 97110 paid", None),
            ("V-3", 1, "adjustment_CO", "48.00", "CO-45", None),
            ("V-3", 1, "patient_responsibility", "12.00", "PR-2", None),
        ),
        {"V-3": ("paid", "accepted", "paid")},
    ),
    Scenario(
        "provider-level adjustments (PLB) post to the provider account, signed as paid",
        (("V-1", ONE),),
        # 47.20 - 20.00 recovered + 1.50 interest paid = 28.70.
        (
            Post835(
                "e.835",
                (
                    remittance(
                        [paid("V-1")],
                        "28.70",
                        [plb(("WO", "20.00", "OVP123"), ("L6", "-1.50", ""))],
                    ),
                ),
            ),
        ),
        (
            *PAID_ENTRIES,
            (None, None, "provider_adjustment", "-20.00", "PLB WO ref OVP123", None),
            (None, None, "provider_adjustment", "1.50", "PLB L6", None),
        ),
        {"V-1": ("paid",)},
    ),
    Scenario(
        "a claim that is not ours goes to unapplied payments and the exception queue",
        (("V-1", ONE),),
        (Post835("f.835", (remittance([paid("X-9")], "47.20"),)),),
        ((None, None, "unapplied_payment", "47.20", "unmatched CLP01 X-9", None),),
        {"V-1": ()},
        (
            (
                "exception",
                None,
                "47.20",
                None,
                None,
                "open",
                "835 claim X-9: no claim with this patient control number",
            ),
        ),
    ),
    Scenario(
        "a payment re-sent in another file posts no money and names the original",
        (("V-1", ONE), ("V-5", ONE)),
        (
            Post835("g1.835", (remittance([paid("V-1")], "47.20"),)),
            Post835(
                "g2.835",
                (
                    remittance([paid("V-1")], "47.20"),
                    remittance([paid("V-5")], "47.20", trace="EFT0005"),
                ),
            ),
        ),
        (*PAID_ENTRIES, *(("V-5", *e[1:]) for e in PAID_ENTRIES)),
        {"V-1": ("paid",), "V-5": ("paid",)},
        (
            (
                "exception",
                None,
                "47.20",
                None,
                None,
                "open",
                "835 payment TRN EFT0001 of 47.20 on 2026-03-20 already posted from g1.835 ST0001"
                " (transaction 1); its 1 claims not posted again",
            ),
        ),
    ),
    Scenario(
        "a later 835 paying a denied claim in full decides its pending appeal overturned",
        (("V-1", ONE),),
        (
            Post835("h1.835", (remittance([denied("V-1", ("97110", "110.00", 1))], "0.00"),)),
            Letter("V-1", date(2026, 4, 1)),
            Post835("h2.835", (remittance([paid("V-1", "PCN0002")], "47.20", trace="EFT0002"),)),
        ),
        (("V-1", 1, "adjustment_CO", "110.00", "CO-50 RARC N115", None), *PAID_ENTRIES),
        {"V-1": ("denied", "paid")},
        (
            (
                "denial",
                "V-1",
                "110.00",
                DUE,
                "50",
                "open",
                f"claim V-1: denied 110.00 CARC 50; {DENIAL_50}; RARC N115",
            ),
        ),
        (("V-1", "overturned", "47.20", PAID_ON, 1),),
    ),
    Scenario(
        "a won appeal recorded without an amount recovers what the later 835 paid",
        (("V-1", ONE),),
        (
            Post835("i1.835", (remittance([denied("V-1", ("97110", "110.00", 1))], "0.00"),)),
            Letter("V-1", date(2026, 4, 1)),
            Outcome("V-1", "won", "0.00", date(2026, 5, 1)),
            Post835("i2.835", (remittance([paid("V-1", "PCN0002")], "47.20", trace="EFT0002"),)),
        ),
        (("V-1", 1, "adjustment_CO", "110.00", "CO-50 RARC N115", None), *PAID_ENTRIES),
        {"V-1": ("denied", "paid")},
        (
            (
                "denial",
                "V-1",
                "110.00",
                DUE,
                "50",
                "done",
                f"claim V-1: denied 110.00 CARC 50; {DENIAL_50}; RARC N115",
            ),
        ),
        (("V-1", "overturned", "47.20", date(2026, 5, 1), 1),),
    ),
    Scenario(
        "a pending appeal paid in part is decided partial, the line still denied queued again",
        (("V-2", TWO),),
        (
            Post835(
                "j1.835",
                (
                    remittance(
                        [denied("V-2", ("97110", "110.00", 1), ("97140", "56.00", 2))], "0.00"
                    ),
                ),
            ),
            Letter("V-2", date(2026, 4, 1)),
            Post835("j2.835", (remittance([PARTLY], "47.20", trace="EFT0002"),)),
        ),
        (
            ("V-2", 1, "adjustment_CO", "110.00", "CO-50 RARC N115", None),
            ("V-2", 2, "adjustment_CO", "56.00", "CO-50 RARC N115", None),
            ("V-2", 1, "payer_payment", "47.20", "SVC 97110 paid", None),
            ("V-2", 1, "adjustment_CO", "51.00", "CO-45", None),
            ("V-2", 1, "patient_responsibility", "11.80", "PR-2", None),
            ("V-2", 2, "adjustment_CO", "56.00", "CO-50", None),
        ),
        {"V-2": ("denied", "partially_paid")},
        (
            (
                "denial",
                "V-2",
                "166.00",
                DUE,
                "50",
                "open",
                f"claim V-2: denied 166.00 CARC 50; {DENIAL_50}; RARC N115",
            ),
            (
                "denial",
                "V-2",
                "56.00",
                DUE,
                "50",
                "open",
                f"claim V-2: denied 56.00 CARC 50; {DENIAL_50}",
            ),
        ),
        (("V-2", "partial", "47.20", PAID_ON, 1),),
    ),
    Scenario(
        "a 999 rejecting a set rejects every claim of its batch into the rejections queue",
        (("V-10", ONE), ("V-11", ONE)),
        (Ack999(41, 7, "R"),),
        states={"V-10": ("rejected",), "V-11": ("rejected",)},
        work=tuple(
            (
                "rejection",
                pcn,
                "110.00",
                None,
                None,
                "open",
                f"claim {pcn}: 999 IK5 R 5 set 0007: IK3 NM1 pos 12 code 8 IK4 9 code 1",
            )
            for pcn in ("V-10", "V-11")
        ),
        batch=(41, 7),
    ),
    Scenario(
        "a 999 accepting the set, then 277CAs: one claim accepted, one rejected",
        (("V-13", ONE), ("V-14", ONE)),
        (Ack999(43, 9, "A"), Ack277("V-13", "A7", "562"), Ack277("V-14", "A2", "20")),
        states={"V-13": ("accepted", "rejected"), "V-14": ("accepted",)},
        work=(
            (
                "rejection",
                "V-13",
                "110.00",
                None,
                None,
                "open",
                "claim V-13: 277CA A7:562:PR Member id invalid",
            ),
        ),
        batch=(43, 9),
    ),
    Scenario(
        "a line allowed below the imported contract is queued with its variance",
        (("V-20", ONE),),
        (
            Contract(
                "97110,30.00\n97140,31.00\n",
                (("mppr", False), ("assistant_reduction", False), ("sequestration_rate", "0.02")),
            ),
            Post835("k.835", (remittance([SHORT], "44.00"),)),
        ),
        (
            ("V-20", 1, "payer_payment", "44.00", "SVC 97110 paid", None),
            ("V-20", 1, "adjustment_CO", "55.00", "CO-45", None),
            ("V-20", 1, "patient_responsibility", "11.00", "PR-2", None),
        ),
        {"V-20": ("paid",)},
        (
            (
                "underpayment",
                "V-20",
                "5.00",
                None,
                None,
                "open",
                "claim V-20 line 1 97110: allowed 55.00, expected 60.00 by medicare-2026 v1;"
                " short 5.00",
            ),
        ),
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[Factory]:
    with money_in(request.param, tmp_path) as factory:
        yield factory


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_money_in(backend: Factory, scenario: Scenario, tmp_path: Path) -> None:
    seed(backend, scenario.visits, scenario.batch)
    for step in scenario.steps:
        step.run(backend, tmp_path)
    seen = observe(backend, [v for v, _services in scenario.visits])
    assert seen.ledger == list(scenario.ledger)
    assert seen.dates <= {PAID_ON}  # every entry dated by its remittance
    assert seen.states == scenario.states
    assert seen.current == {p: (s[-1] if s else "submitted") for p, s in scenario.states.items()}
    assert seen.work == list(scenario.work)
    assert seen.appeals == list(scenario.appeals)
