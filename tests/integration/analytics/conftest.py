"""The March 2026 clinic every KPI test reads (both backends, through ``store``).

Two payers (MCR medicare, BCBS commercial), two locations (MAIN, NORTH), one therapist
(ANA, NPI 1111111112), one patient per claim. Claims, all with one visit on their date:

=====  =====  ======  =====  =========================================================
claim  payer  DOS     charge what happened
=====  =====  ======  =====  =========================================================
C1     MCR    03-02   200    paid 03-10: 120 paid, CO-45 50, PR-2 30; patient paid 30
C2     MCR    03-03   100    denied 03-12 (status 4, CO-50 100); closed 03-30
C3     BCBS   03-04   300    03-15: 150 paid, CO-45 50, CO-197 100; appeal won part
C4     BCBS   03-05   150    rejected by a 999, resubmitted, paid 150 on 03-20
C5     MCR    02-01    80    paid 80 on 02-20; reprocessed (paid 0) 03-05
C6     MCR    03-06    90    03-25: 40 paid, CO-45 10, CO-50 40; appeal upheld
C7     BCBS   2025-12-01 500 submitted, no answer yet
=====  =====  ======  =====  =========================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ptrcm.analytics import KpiFilters, Scope
from ptrcm.store.repository import Store
from tests.integration.analytics.clinic import Clinic, at

MARCH = KpiFilters(date(2026, 3, 1), date(2026, 3, 31))


def build_march(c: Clinic) -> None:
    c.payer("MCR", "medicare")
    c.payer("BCBS", "commercial")
    c.location("MAIN")
    c.location("NORTH")
    c.provider("ANA", "1111111112")
    rows = [  # pcn, payer, dos, charge, state, built, submitted, location
        ("C1", "MCR", "2026-03-02", "200.00", "paid", "2026-03-04", "2026-03-05", "MAIN"),
        ("C2", "MCR", "2026-03-03", "100.00", "closed", "2026-03-04", "2026-03-04", "NORTH"),
        ("C3", "BCBS", "2026-03-04", "300.00", "appealed", "2026-03-09", "2026-03-12", "MAIN"),
        ("C4", "BCBS", "2026-03-05", "150.00", "paid", "2026-03-06", "2026-03-07", "NORTH"),
        ("C5", "MCR", "2026-02-01", "80.00", "paid", "2026-02-03", "2026-02-04", "MAIN"),
        ("C6", "MCR", "2026-03-06", "90.00", "partially_paid", "2026-03-16", "2026-03-17", "MAIN"),
        ("C7", "BCBS", "2025-12-01", "500.00", "submitted", "2025-12-02", "2025-12-03", "MAIN"),
    ]
    for pcn, payer, dos, charge, state, built, submitted, location in rows:
        patient = f"P-{pcn}"
        c.patient(patient)
        c.visit(f"V-{pcn}", patient, payer, dos, location, "ANA")
        c.claim(pcn, patient, payer, dos, charge, state, built, submitted)
    # A March visit at MAIN with no claim yet (counts as a visit, brings no revenue).
    c.patient("P-8")
    c.visit("V-8", "P-8", "MCR", "2026-03-20", "MAIN", "ANA")
    c.remit(
        "C1", "2026-03-10", "200.00", "120.00", adjust=[("CO", "45", "50.00"), ("PR", "2", "30.00")]
    )
    c.transition("C1", "paid", "2026-03-10")
    c.patient_payment("C1", "P-C1", "30.00", "2026-03-11")
    c.remit("C2", "2026-03-12", "100.00", "0.00", status="4", adjust=[("CO", "50", "100.00")])
    c.transition("C2", "closed", "2026-03-30")
    c.remit(
        "C3",
        "2026-03-15",
        "300.00",
        "150.00",
        adjust=[("CO", "45", "50.00"), ("CO", "197", "100.00")],
    )
    c.appeal("C3", "2026-03-18", "2026-03-28", "partial", "60.00")
    c.transition("C4", "rejected", "2026-03-08")
    c.remit("C4", "2026-03-20", "150.00", "150.00")
    c.transition("C4", "paid", "2026-03-20")
    c.remit("C5", "2026-02-20", "80.00", "80.00")
    c.transition("C5", "paid", "2026-02-20")
    c.remit("C5", "2026-03-05", "80.00", "0.00")
    cp6 = c.remit(
        "C6", "2026-03-25", "90.00", "40.00", adjust=[("CO", "45", "10.00"), ("CO", "50", "40.00")]
    )
    c.appeal("C6", "2026-03-26", "2026-03-29", "upheld", None)
    for pcn, run, day, errors in [
        ("C1", 1, "2026-03-04", 0), ("C2", 1, "2026-03-04", 2), ("C2", 2, "2026-03-04", 0),
        ("C3", 1, "2026-03-09", 0), ("C4", 1, "2026-03-06", 0), ("C6", 1, "2026-02-28", 1),
    ]:  # fmt: skip
        c.scrub(pcn, run, day, errors)
    c.underpayment("C6", cp6, "97110", "60.00", "45.00")
    # Appointments after the DST change: Chicago is UTC-5, so 14:00Z is 09:00 local.
    c.appointment("A1", "P-C1", at("2026-03-16", 14), "kept", "MAIN", "ANA")  # Monday 09
    c.appointment("A2", "P-C1", at("2026-03-23", 14), "no_show", "MAIN", "ANA")  # Monday 09
    c.appointment("A3", "P-C3", at("2026-03-17", 20), "late_cancel", "NORTH", "ANA")  # Tue 15
    c.appointment("A4", "P-C4", at("2026-03-17", 20), "kept", "NORTH", "ANA")  # Tue 15
    c.appointment("A5", "P-C4", at("2026-03-18", 20), "cancelled", "NORTH", "ANA")
    c.appointment("A6", "P-C4", at("2026-03-30", 20), "scheduled", "NORTH", "ANA")
    c.refresh_facts()  # the rows went in directly, past the services that keep facts


@pytest.fixture
def march(store: Store) -> Iterator[Scope]:
    """The March clinic, committed; yields a scope on a fresh connection."""
    org = store.create_organization("march", "March clinic")
    with store.engine.begin() as conn:
        build_march(Clinic(conn, org))
    with store.engine.connect() as conn:
        yield Scope(conn, org)


@pytest.fixture
def empty(store: Store) -> Iterator[Scope]:
    org = store.create_organization("empty", "Nothing yet")
    with store.engine.connect() as conn:
        yield Scope(conn, org)
