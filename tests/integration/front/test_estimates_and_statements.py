"""Estimates against what a posted 835 made the patient owe; statements from the ledger
(HTML and PDF), payments applied to what was billed, refunds, corrected statements."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from PIL import Image

from ptrcm.bootstrap import build_context
from ptrcm.services.front_desk.eligibility import record_manual
from ptrcm.services.front_desk.estimates import estimate_for_patient, estimate_report
from ptrcm.services.front_desk.statements import (
    apply_payment,
    build_statement,
    issue_statement,
    letterhead_of,
    patient_balance,
    refund,
    reissue_statement,
)
from ptrcm.store.repository import Store, UnitOfWork
from tests.integration.posting.builders import (
    DOS,
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    visit,
    write,
)

CODES = {"97110": 2, "97140": 1}


def posted_clinic(store: Store, tmp_path: Path) -> int:
    """Medicare patient P-V-1, deductible met, 20% coinsurance; one visit on 2 March 2026
    (97110 x2 at 55.00, 97140 x1 at 56.00) estimated, then paid by an 835."""
    org = seed(store, [visit("V-1", [("97110", 30), ("97140", 15)])])
    with unit(store, org) as uow:
        uow.master.upsert("payers", [{"external_id": "MEDICARE", "name": "Medicare Part B",
                                      "payer_class": "medicare"}])  # fmt: skip
        uow.master.upsert("coverages", [{"external_id": "C-1", "patient": "P-V-1",
                                         "payer": "MEDICARE", "rank": "primary",
                                         "member_id": "1EG4TE5MK73"}])  # fmt: skip
        record_manual(uow, "P-V-1", None, date(2026, 2, 20), active=True,
                      coinsurance_rate=D("0.20"), deductible_remaining=D("0.00"))  # fmt: skip
        estimate_for_patient(uow, build_context().config, "P-V-1", CODES, DOS)
        uow.commit()
    claim = clp(
        "V-1", "1", "166.00", "59.84",
        svc("97110", "110.00", "42.48", cas("CO", "45", "56.90"), cas("PR", "2", "10.62"),
            line=1, units="2"),
        svc("97140", "56.00", "17.36", cas("CO", "45", "33.64"), cas("PR", "2", "5.00"), line=2),
    )  # fmt: skip
    result = post(store, org, write(tmp_path, "v1.835", remittance([claim], "59.84")))
    assert result.posted == 1
    return org


def unit(store: Store, org: int) -> UnitOfWork:
    return store.unit_of_work(org, "test")


def test_medicare_estimate_applies_mppr_then_coinsurance(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-9", [("97110", 30)])], slug="est")
    with unit(store, org) as uow:
        uow.master.upsert("payers", [{"external_id": "MEDICARE", "name": "M",
                                      "payer_class": "medicare"}])  # fmt: skip
        uow.master.upsert("coverages", [{"external_id": "C-9", "patient": "P-V-9",
                                         "payer": "MEDICARE", "rank": "primary"}])  # fmt: skip
        record_manual(uow, "P-V-9", None, date(2026, 2, 20), active=True,
                      coinsurance_rate=D("0.20"), deductible_remaining=D("50.00"))  # fmt: skip
        est = estimate_for_patient(uow, build_context().config, "P-V-9", CODES, DOS, visits=3)
    # CY 2026 national RVUs x CF 33.4009 (RVU26C). MPPR: one 97110 unit in full, 0.87 RVU
    # = 29.06; every other unit keeps work and MP and half its PE: 97110
    # (0.45 + 0.205 + 0.01) x CF = 22.21; 97140 (0.43 + 0.195 + 0.01) x CF = 21.21.
    assert est.visit.allowed.amount == D("72.48")  # 29.06 + 22.21 + 21.21
    # Deductible 50.00 first, then 20% of 22.48 = 4.496 -> 4.50.
    assert est.visit.patient_cost.amount == D("54.50")
    # Three visits: 50.00 + 4.50, then 20% of 72.48 = 14.496 -> 14.50 twice.
    assert est.plan.high.patient_cost.amount == D("83.50")
    # Deductible already met: 3 x 14.50.
    assert est.plan.low.patient_cost.amount == D("43.50")


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ({"copay": D("25.00")}, D("25.00")),  # copay only
        ({"deductible_remaining": D("50.00"), "copay": D("10.00"),
          "coinsurance_rate": D("0.20")}, D("65.17")),  # 50 + 10 + 0.2 x 25.84
        ({"coinsurance_rate": D("0.20"), "deductible_remaining": D("500.00"),
          "oop_remaining": D("40.00")}, D("40.00")),  # out-of-pocket maximum reached
    ],
)  # fmt: skip
def test_commercial_estimates_by_hand(store: Store, terms: dict[str, D], expected: D) -> None:
    org = seed(store, [visit("V-8", [("97110", 30)], payer="COMMERCIAL")], slug="com")
    with unit(store, org) as uow:
        uow.master.upsert("payers", [{"external_id": "COMMERCIAL", "name": "C",
                                      "payer_class": "commercial"}])  # fmt: skip
        uow.master.upsert("coverages", [{"external_id": "C-8", "patient": "P-V-8",
                                         "payer": "COMMERCIAL", "rank": "primary"}])  # fmt: skip
        record_manual(uow, "P-V-8", None, date(2026, 2, 20), active=True, **terms)
        est = estimate_for_patient(uow, build_context().config, "P-V-8", CODES, DOS)
    assert est.visit.allowed.amount == D("85.84")  # no MPPR: 2 x 29.06 + 27.72
    assert est.visit.patient_cost.amount == expected


def test_estimate_report_shows_the_variance_after_the_835(store: Store, tmp_path: Path) -> None:
    org = posted_clinic(store, tmp_path)
    with unit(store, org) as uow:
        (row,) = estimate_report(uow)
    # estimate 20% of 72.48 = 14.50; the 835 made the patient owe 10.62 + 5.00
    assert (row["estimate"], row["actual"], row["variance"]) == (D("14.50"), D("15.62"), D("1.12"))
    assert row["status"] == "posted" and row["patient"] == "P-V-1"


def test_statements_match_the_ledger_through_payments_refund_and_correction(
    store: Store, tmp_path: Path
) -> None:
    org = posted_clinic(store, tmp_path)
    out = tmp_path / "statements"
    with unit(store, org) as uow:
        first = issue_statement(uow, "P-V-1", date(2026, 3, 25), out)
        assert first.amount_due == D("15.62") == patient_balance(uow, "P-V-1")
        shares = [(ln.description, ln.insurance_paid, ln.insurance_adjusted, ln.patient_share)
                  for ln in first.lines]  # fmt: skip
        assert shares == [("97110 x2", D("42.48"), D("56.90"), D("10.62")),
                          ("97140 x1", D("17.36"), D("33.64"), D("5.00"))]  # fmt: skip
        assert apply_payment(uow, "P-V-1", D("10.00"), date(2026, 4, 1)) == [("V-1", D("10.00"))]
        assert build_statement(uow, "P-V-1", date(2026, 4, 2)).amount_due == D("5.62")
        assert patient_balance(uow, "P-V-1") == D("5.62")
        # Paying 20.00 more: 5.62 to what was billed, 14.38 stays as a credit.
        applied = apply_payment(uow, "P-V-1", D("20.00"), date(2026, 4, 3))
        assert applied == [("V-1", D("5.62")), ("on account", D("14.38"))]
        assert patient_balance(uow, "P-V-1") == D("-14.38")
        refund(uow, "P-V-1", D("14.38"), date(2026, 4, 4), "credit returned")
        corrected = reissue_statement(uow, "P-V-1", first.statement_id or 0,
                                      date(2026, 4, 5), "payments received", out)  # fmt: skip
        assert corrected.amount_due == D("0.00") == patient_balance(uow, "P-V-1")
        payments = [e for e in uow.ledger.entries() if e["account"] == "patient_payment"]
        assert sorted(e["amount"] for e in payments) == [D("-14.38"), D("-10.00"), D("-5.62")]
        uow.commit()
    page = Path(first.files[0]).read_text(encoding="utf-8")
    assert "Amount due: 15.62" in page and "97110 x2" in page
    assert "Ann Reed" in page and "1 Elm St" in page  # addressed even without a letterhead
    assert "replaces statement" in Path(corrected.files[0]).read_text(encoding="utf-8")


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
DPI = 100
# What an envelope and a payment need, as the default [clinic] and patient P-V-1 read.
BLOCKS = {
    "clinic": "Riverside Rehab Partners", "clinic address": "100 Main St",
    "clinic city": "Springfield, IL 62701-0001", "phone": "Phone (217) 555-0142",
    "patient": "Ann Reed", "patient address": "1 Elm St",
    "patient city": "Springfield, IL 62704", "remit to": "PO Box 4410",
    "remit city": "Springfield, IL 62708",
}  # fmt: skip


def _boxes(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word pdftotext finds on page 1, with its box in points."""
    done = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    return [(float(a), float(b), float(c), float(d), html.unescape(w))
            for a, b, c, d, w in WORD.findall(done.stdout)]  # fmt: skip


def _find(words: list[tuple[float, float, float, float, str]], text: str) -> tuple[float, ...]:
    """The box around the first run of consecutive words that reads ``text``."""
    want = text.split()
    for i in range(len(words) - len(want) + 1):
        run = words[i : i + len(want)]
        if [w[4] for w in run] == want:
            return (min(w[0] for w in run), min(w[1] for w in run),
                    max(w[2] for w in run), max(w[3] for w in run))  # fmt: skip
    raise AssertionError(f"{text!r} is not on the statement")


def _ink(png: Image.Image, box: tuple[float, ...]) -> int:
    """Dark pixels of the page image inside a box given in points."""
    scale = DPI / 72
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    return sum(png.crop((x0, y0, x1, y1)).convert("L").histogram()[:128])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_statement_pdf_renders_the_identity_blocks_on_its_page_image(
    store: Store, tmp_path: Path
) -> None:
    """The PDF rendered to a PNG: each identity block (clinic name, address and phone; the
    patient's name and address; the remit-to address) is where pdftotext reads it and has
    ink there; the clinic heads the page, the patient comes before the lines, the remit-to
    after the amount due; the totals row adds the lines up."""
    org = posted_clinic(store, tmp_path)
    head = letterhead_of(build_context().config.clinic)
    with unit(store, org) as uow:
        statement = issue_statement(uow, "P-V-1", date(2026, 3, 25), tmp_path / "out",
                                    letterhead=head)  # fmt: skip
        balance = patient_balance(uow, "P-V-1")
        uow.commit()
    pdf = Path(statement.files[1])
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    (png_file,) = tmp_path.glob("page*.png")
    assert png_file.read_bytes().startswith(b"\x89PNG")
    words = _boxes(pdf)
    with Image.open(png_file) as png:
        boxes = {name: _find(words, text) for name, text in BLOCKS.items()}
        for name, box in boxes.items():
            assert _ink(png, box) > 20, f"{name} is not drawn on the page image"
        empty = (boxes["clinic"][0], 2.0, boxes["clinic"][2], boxes["clinic"][1] - 4)
        assert _ink(png, empty) == 0  # the margin above the letterhead is blank
    top = {name: box[1] for name, box in boxes.items()}
    lines, due = _find(words, "97110 x2")[1], _find(words, "Amount due: 15.62")[1]
    assert top["clinic"] < top["phone"] < top["patient"] < top["patient city"] < lines
    assert lines < due < top["remit to"] < top["remit city"]
    total = statement.totals
    assert total.patient_share + total.patient_paid == statement.amount_due == balance
    assert (total.insurance_paid, total.insurance_adjusted) == (D("59.84"), D("90.54"))
    totals_row = _find(words, "Totals")[1]
    row = [w[4] for w in sorted(words) if abs(w[1] - totals_row) < 2]  # left to right
    assert row == ["Totals", "166.00", "59.84", "90.54", "15.62", "0.00"]
