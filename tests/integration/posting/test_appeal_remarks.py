"""An appeal letter from a real 835 whose remark code is repeated on every denied line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ptrcm.services.remittance.appeals import appeal_letter
from ptrcm.store.repository import Store
from tests.integration.posting.builders import (
    CONTEXT,
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

TWO = [("97110", 30), ("97140", 15)]


def test_a_remark_on_both_denied_lines_appears_once_in_the_letter(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-30", TWO)])
    denied = clp(
        "V-30",
        "4",
        "166.00",
        "0.00",
        svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1, remarks=("N115",)),
        svc("97140", "56.00", "0.00", cas("CO", "50", "56.00"), line=2, remarks=("N115",)),
    )
    post(store, org, write(tmp_path, "den.835", remittance([denied], "0.00")))
    letter = appeal_letter(
        lambda: uow(store, org), "V-30", date(2026, 4, 1), CONTEXT.config, CONTEXT.catalog
    )
    (row,) = [line for line in letter.splitlines() if line.startswith("| Remark codes")]
    assert row.count("N115") == 1
    assert row.endswith("(lines 1, 2) |")
