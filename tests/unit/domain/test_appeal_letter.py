from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ptrcm.domain.appeal_letter import (
    DenialNotice,
    LetterSender,
    NotAppealableError,
    render_appeal_letter,
)
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.deadlines import appeal_deadline, appeal_rules_for
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Person, Provider

DOS = date(2026, 3, 2)
CLAIM = Claim(
    "C-9",
    "MEDICARE",
    "P-17",
    "PT",
    (
        ClaimLine(1, DOS, "97110", ("GP",), 2, 2, Money.of("110.00"), (1,)),
        ClaimLine(2, DOS, "97530", ("GP", "59"), 1, 1, Money.of("60.00"), (1,)),
    ),
    ("M54.16",),
    Provider("PT"),
    member_id="1EG4TE5MK73",
    patient=Person("Ana", "Lopez", date(1950, 5, 1)),
)
SENDER = LetterSender("Riverside Rehab Partners", "1234567893", ("100 Main St",), "555-0100")
NECESSITY = DenialNotice(
    payer_name="Medicare Part B",
    remit_date=date(2026, 3, 10),
    group="CO",
    carc="50",
    amount=Money.of("107.36"),
    rarcs=("N115",),
    payer_claim_number="2026069000123",
)
RULES = appeal_rules_for("medicare")


def letter(notice: DenialNotice, as_of: date = date(2026, 3, 20)) -> str:
    assert RULES is not None
    deadline = appeal_deadline(notice.remit_date, RULES)
    return render_appeal_letter(CLAIM, notice, deadline, SENDER, as_of)


def test_a_medical_necessity_letter_carries_the_facts_and_the_checklist() -> None:
    text = letter(NECESSITY)
    assert text.startswith("# Request for redetermination\n")
    assert "March 20, 2026" in text
    assert "payer claim number 2026069000123, our claim C-9" in text
    assert "| Amount in dispute | $107.36 |" in text
    assert "| Denial | CO-50: Payer does not consider the service medically necessary |" in text
    assert "N115: Decision follows a local coverage determination (LCD)" in text
    # 2026-03-10 + 5 days presumed receipt + 120 days
    assert "| Request due | 2026-07-13 |" in text
    assert "- Plan of care signed and dated by the physician or NPP (certification)" in text
    assert "- Functional outcome measures showing change (scores and dates)" in text
    assert "skilled therapy under a certified plan of care" in text
    assert "| 1 | 2026-03-02 | 97110 | GP | 2 | $110.00 |" in text


def test_a_letter_lists_only_the_disputed_lines() -> None:
    notice = replace(NECESSITY, carc="97", rarcs=("M80",), line_numbers=(2,))
    text = letter(notice)
    assert "| 2 | 2026-03-02 | 97530 | GP 59 | 1 | $60.00 |" in text
    assert "97110" not in text
    assert "distinct time blocks for 59/X" in text


def test_an_unprocessable_claim_gets_no_letter() -> None:
    with pytest.raises(NotAppealableError, match="correct and resubmit"):
        letter(replace(NECESSITY, carc="16", rarcs=("MA130",)))


def test_a_late_letter_asks_for_good_cause() -> None:
    text = letter(NECESSITY, as_of=date(2026, 7, 15))
    assert "2 day(s) past the due date" in text
    assert "- A statement of good cause for filing after the deadline" in text
    assert "good cause" not in letter(NECESSITY, as_of=date(2026, 7, 13))


def test_a_letter_refuses_a_line_the_claim_does_not_have() -> None:
    with pytest.raises(ValueError, match="no line"):
        letter(replace(NECESSITY, line_numbers=(7,)))


def test_a_letter_without_patient_details_names_the_patient_id_only() -> None:
    assert RULES is not None
    bare = replace(CLAIM, patient=None, member_id=None)
    text = render_appeal_letter(
        bare, NECESSITY, appeal_deadline(NECESSITY.remit_date, RULES), SENDER, DOS
    )
    assert "| Patient | patient P-17 |" in text
    assert "| Member ID | (not on file) |" in text


def test_a_remark_reported_on_every_line_is_listed_once_with_its_lines() -> None:
    notice = replace(
        NECESSITY,
        rarcs=("N115", "M80", "N115", "n115"),
        remark_lines=(("N115", 1), ("M80", 2), ("N115", 2)),
    )
    row = next(line for line in letter(notice).splitlines() if line.startswith("| Remark codes"))
    assert row.count("N115") == 1 and row.count("M80") == 1
    assert "N115: Decision follows a local coverage determination (LCD) (lines 1, 2)" in row
    assert row.index("N115") < row.index("M80") and "(line 2)" in row


def test_a_remark_for_the_whole_claim_names_no_line() -> None:
    row = next(
        line
        for line in letter(replace(NECESSITY, rarcs=("N115", "N115"))).splitlines()
        if line.startswith("| Remark codes")
    )
    assert row == "| Remark codes | N115: Decision follows a local coverage determination (LCD) |"
