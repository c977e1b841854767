from __future__ import annotations

from dataclasses import dataclass

import pytest

from ptrcm.domain.denials import (
    AdjustmentKind,
    ClaimOutcome,
    DenialCategory,
    NextAction,
    categorize_adjustment,
    claim_outcome,
    classify_adjustment,
    documentation_checklist,
    load_reason_codes,
    parse_carcs,
    parse_playbook,
)
from ptrcm.domain.money import Money


@dataclass(frozen=True, slots=True)
class Adj:
    group: str
    reason: str
    amount: Money


@pytest.mark.parametrize(
    ("group", "carc", "rarcs", "category"),
    [
        ("PR", "1", [], DenialCategory.PATIENT_RESPONSIBILITY),
        ("PR", "2", [], DenialCategory.PATIENT_RESPONSIBILITY),
        ("PR", "3", [], DenialCategory.PATIENT_RESPONSIBILITY),
        ("CO", "45", [], DenialCategory.CONTRACTUAL),
        ("CO", "253", [], DenialCategory.CONTRACTUAL),
        ("CO", "4", [], DenialCategory.CODING_MODIFIER),
        ("CO", "11", [], DenialCategory.CODING_MODIFIER),
        ("CO", "11", ["N115"], DenialCategory.MEDICAL_NECESSITY),
        ("CO", "16", ["N290"], DenialCategory.DOCUMENTATION),
        ("CO", "18", [], DenialCategory.DUPLICATE),
        ("CO", "22", [], DenialCategory.COB),
        ("OA", "23", [], DenialCategory.COB),
        ("CO", "27", [], DenialCategory.ELIGIBILITY),
        ("CO", "29", [], DenialCategory.TIMELY_FILING),
        ("CO", "50", [], DenialCategory.MEDICAL_NECESSITY),
        ("CO", "96", [], DenialCategory.COVERAGE),
        ("CO", "96", ["N386"], DenialCategory.MEDICAL_NECESSITY),
        ("CO", "204", [], DenialCategory.COVERAGE),
        ("CO", "97", ["M80"], DenialCategory.BUNDLING_NCCI),
        ("CO", "236", [], DenialCategory.BUNDLING_NCCI),
        ("CO", "109", [], DenialCategory.ELIGIBILITY),
        ("CO", "119", [], DenialCategory.BENEFIT_MAXIMUM),
        ("CO", "151", ["N362"], DenialCategory.UNITS_FREQUENCY),
        ("CO", "167", [], DenialCategory.MEDICAL_NECESSITY),
        ("CO", "197", [], DenialCategory.AUTHORIZATION),
        ("CO", "242", [], DenialCategory.AUTHORIZATION),
        ("CO", "A1", [], DenialCategory.OTHER),
    ],
)
def test_each_reference_carc_lands_in_its_category(
    group: str, carc: str, rarcs: list[str], category: DenialCategory
) -> None:
    assert categorize_adjustment(group, carc, rarcs) is category


def test_a_remark_code_cannot_move_a_precise_carc_to_another_category() -> None:
    # 197 (authorization) is not refinable: N115 must not turn it into medical necessity
    assert categorize_adjustment("CO", "197", ["N115"]) is DenialCategory.AUTHORIZATION


def test_deductible_coinsurance_and_copay_are_not_denials_and_go_to_the_patient() -> None:
    result = classify_adjustment("PR", "2")
    assert result.kind is AdjustmentKind.PATIENT_RESPONSIBILITY
    assert not result.is_denial
    assert result.action is NextAction.BILL_PATIENT
    assert classify_adjustment("PR", "2", has_secondary=True).action is NextAction.BILL_SECONDARY


def test_a_contractual_adjustment_is_written_off_and_is_not_a_denial() -> None:
    result = classify_adjustment("CO", "45")
    assert (result.kind, result.action, result.appealable) == (
        AdjustmentKind.CONTRACTUAL,
        NextAction.WRITE_OFF,
        False,
    )


def test_ma130_is_not_appealable_and_is_corrected_and_resubmitted() -> None:
    result = classify_adjustment("CO", "16", ["MA130"])
    assert result.category is DenialCategory.DOCUMENTATION
    assert not result.appealable
    assert result.action is NextAction.CORRECT_AND_RESUBMIT
    # even under a CARC whose playbook says appeal
    assert classify_adjustment("CO", "197", ["MA130"]).action is NextAction.CORRECT_AND_RESUBMIT


def test_a_no_appeal_remark_on_a_medical_necessity_denial_means_write_off() -> None:
    result = classify_adjustment("CO", "50", ["N211"])
    assert not result.appealable
    assert result.action is NextAction.WRITE_OFF


def test_medical_necessity_is_appealed_with_the_clinical_record() -> None:
    result = classify_adjustment("CO", "50", ["N115"])
    assert result.appealable and result.action is NextAction.APPEAL
    assert any("Plan of care signed" in item for item in result.checklist)
    assert any("outcome measures" in item for item in result.checklist)
    assert any("Progress notes" in item for item in result.checklist)


def test_a_non_covered_service_in_group_pr_is_billed_to_the_patient() -> None:
    assert classify_adjustment("PR", "96").action is NextAction.BILL_PATIENT
    assert classify_adjustment("CO", "96").action is NextAction.WRITE_OFF


def test_a_bundling_denial_is_corrected_unless_the_line_already_had_59() -> None:
    assert classify_adjustment("CO", "97").action is NextAction.CORRECT_AND_RESUBMIT
    already = classify_adjustment("CO", "97", line_modifiers=("GP", "59"))
    assert already.action is NextAction.APPEAL
    assert any("time blocks" in item for item in already.checklist)


def test_a_correction_group_is_a_reversal_with_nothing_to_do() -> None:
    result = classify_adjustment("CR", "45")
    assert result.kind is AdjustmentKind.REVERSAL
    assert result.action is NextAction.NONE


def test_codes_are_read_case_and_space_insensitively() -> None:
    assert classify_adjustment(" co ", " 16 ", ["ma130"]).rarcs == ("MA130",)


def test_the_authorization_checklist_names_the_number_and_dates() -> None:
    items = documentation_checklist(DenialCategory.AUTHORIZATION)
    assert any("Authorization number" in item and "dates" in item for item in items)


def test_every_category_has_a_playbook_entry_and_every_carc_a_description() -> None:
    codes = load_reason_codes()
    assert set(codes.playbook) == set(DenialCategory)
    assert all(info.description for info in codes.carcs.values())
    assert {"MA130", "N115", "N386", "M86", "N362", "N640", "N290", "M80", "N20"} <= set(
        codes.rarcs
    )


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_carcs("code,category,kind,appealable,refine,description\n4,nope,denial,yes,no,x\n")
    with pytest.raises(ValueError):
        parse_carcs("code,category,kind,appealable,refine,description\n4,other,denial,maybe,no,x")
    with pytest.raises(ValueError):
        parse_playbook('[categories.other]\naction = "review"\nsummary = "x"\n')


FIFTY = Money.of("50.00")


@pytest.mark.parametrize(
    ("status", "paid", "adjustments", "outcome"),
    [
        ("1", Money.of("40.00"), [Adj("CO", "45", FIFTY), Adj("PR", "2", Money.of("10"))],
         ClaimOutcome.PAID),
        ("1", Money.zero(), [Adj("PR", "1", FIFTY)], ClaimOutcome.PAID),
        ("1", Money.of("40.00"), [Adj("CO", "97", FIFTY)], ClaimOutcome.PARTIALLY_PAID),
        ("1", Money.zero(), [Adj("PR", "1", FIFTY), Adj("CO", "97", FIFTY)],
         ClaimOutcome.PARTIALLY_PAID),
        ("1", Money.zero(), [Adj("CO", "50", FIFTY)], ClaimOutcome.DENIED),
        ("4", Money.zero(), [Adj("CO", "16", FIFTY)], ClaimOutcome.DENIED),
        ("22", Money.of("-40.00"), [Adj("CR", "45", FIFTY)], ClaimOutcome.REVERSED),
        ("1", Money.of("-40.00"), [], ClaimOutcome.REVERSED),
    ],
)  # fmt: skip
def test_claim_outcome_rules(
    status: str, paid: Money, adjustments: list[Adj], outcome: ClaimOutcome
) -> None:
    assert claim_outcome(status, paid, adjustments) is outcome


def test_claim_outcome_reads_the_adjudication_adjustments_of_a_remittance() -> None:
    from ptrcm.domain.adjudication import Adjustment

    adjustments = [Adjustment("CO", "45", FIFTY), Adjustment("CO", "151", Money.of("20.00"))]
    assert claim_outcome("1", Money.of("30.00"), adjustments) is ClaimOutcome.PARTIALLY_PAID
