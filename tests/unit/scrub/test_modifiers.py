"""M rules through the pure engine: therapy, assistant, KX and telehealth modifiers."""

from __future__ import annotations

from decimal import Decimal

from ptrcm.rules.kx import kx_status

from .factory import base, context, findings, service


def test_m001_fires_when_the_emr_sent_modifiers_without_gp() -> None:
    record = base()
    service(record, "97110")["modifiers"] = ["59"]
    (hit,) = findings("M001", record)
    assert hit.code == "97110" and hit.fix is not None and hit.fix.value == "GP"


def test_m001_does_not_fire_when_ptrcm_supplies_the_modifier() -> None:
    assert findings("M001", base()) == []


def test_m002_fires_when_an_ot_modifier_is_on_a_pt_visit() -> None:
    record = base()
    service(record, "97140")["modifiers"] = ["GO"]
    (hit,) = findings("M002", record)
    assert hit.fix is not None and hit.fix.value == ("GO", "GP")


def test_m002_does_not_fire_when_the_modifier_matches() -> None:
    record = base()
    service(record, "97140")["modifiers"] = ["GP"]
    assert findings("M002", record) == []


def test_m003_fires_when_an_assistant_did_all_the_minutes_and_cq_is_missing() -> None:
    record = base()
    service(record, "97110").update(assistant_minutes=30, modifiers=["GP"])
    (hit,) = findings("M003", record)
    assert hit.fix is not None and hit.fix.value == "CQ"


def test_m003_does_not_fire_at_exactly_the_ten_percent_de_minimis() -> None:
    record = base()
    service(record, "97110").update(assistant_minutes=3, modifiers=["GP"])
    assert findings("M003", record) == []


def test_m003_does_not_fire_before_cq_was_required_in_2020() -> None:
    record = base(date_of_service="2019-06-03")
    service(record, "97110").update(assistant_minutes=15, modifiers=["GP"])
    assert findings("M003", record) == []


def test_m004_fires_when_cq_is_billed_without_assistant_minutes() -> None:
    record = base()
    service(record, "97110")["modifiers"] = ["GP", "CQ"]
    (hit,) = findings("M004", record)
    assert hit.fix is not None and (hit.fix.kind, hit.fix.value) == ("remove_modifier", "CQ")


def test_m004_does_not_fire_when_the_assistant_share_supports_cq() -> None:
    record = base()
    service(record, "97110").update(assistant_minutes=30, modifiers=["GP", "CQ"])
    assert findings("M004", record) == []


def test_m005_fires_on_each_therapy_line_when_the_visit_crosses_the_threshold() -> None:
    hits = findings("M005", base(kx_ytd_allowed="2470.00"))
    assert [h.code for h in hits] == ["97110", "97140"]
    assert all(h.fix is None for h in hits)  # KX needs a person


def test_m005_counts_the_patients_earlier_visits_in_the_file() -> None:
    earlier = [
        base(visit_id=f"V-0{i}", date_of_service=f"2026-02-0{i}", kx_ytd_allowed="2300.00")
        for i in range(1, 4)
    ]
    ctx = context(base(), earlier)
    status = kx_status(ctx)
    assert status is not None
    # Each visit is allowed after MPPR (MBPM ch. 15 §10.3 counts allowed amounts), CY 2026
    # national RVUs x 33.4009: 97110 (PE 0.41) keeps the day's full unit, 29.06, and its
    # second unit is (0.45 + 0.205 + 0.01) x CF = 22.21 (51.27); 97140 is
    # (0.43 + 0.195 + 0.01) x CF = 21.21. A visit: 72.48.
    assert status.ytd_with_visit == Decimal("2300.00") + 4 * Decimal("72.48")
    assert len(findings("M005", base(), earlier)) == 2


def test_m005_accrues_the_allowed_amount_after_the_cq_reduction() -> None:
    # 2022 on, CQ units are allowed at 85% after MPPR; the count follows the payer's.
    record = base(kx_ytd_allowed="2000.00")
    plain = kx_status(context(record))
    service(record, "97110")["assistant_minutes"] = 30
    service(record, "97140")["assistant_minutes"] = 10
    assisted = kx_status(context(record))
    assert plain is not None and assisted is not None
    # 0.85 x 51.27 = 43.58 and 0.85 x 21.21 = 18.03, each rounded once per line
    assert assisted.ytd_with_visit == Decimal("2000.00") + Decimal("43.58") + Decimal("18.03")
    assert plain.ytd_with_visit - assisted.ytd_with_visit == Decimal("72.48") - Decimal("61.61")


def test_m005_does_not_count_ot_visits_toward_the_pt_threshold() -> None:
    earlier = [
        base(visit_id="V-0", date_of_service="2026-02-01", discipline="OT",
             rendering={"credential": "OT"}, kx_ytd_allowed="2470.00")
    ]  # fmt: skip
    assert findings("M005", base(), earlier) == []


def test_m005_does_not_fire_below_the_threshold() -> None:
    assert findings("M005", base(kx_ytd_allowed="1000.00")) == []


def test_m005_does_not_fire_for_a_commercial_payer() -> None:
    assert findings("M005", base(payer_id="COMMERCIAL", kx_ytd_allowed="5000.00")) == []


def test_m005_does_not_fire_when_kx_is_present() -> None:
    record = base(kx_ytd_allowed="2470.00")
    service(record, "97110")["modifiers"] = ["GP", "KX"]
    service(record, "97140")["modifiers"] = ["GP", "KX"]
    assert findings("M005", record) == []


def test_m006_fires_when_kx_is_on_the_first_visit_of_the_year() -> None:
    record = base()
    service(record, "97110")["modifiers"] = ["GP", "KX"]
    (hit,) = findings("M006", record)
    assert hit.code == "97110" and hit.fix is None


def test_m006_does_not_fire_near_the_threshold() -> None:
    record = base(kx_ytd_allowed="2000.00")
    service(record, "97110")["modifiers"] = ["GP", "KX"]
    assert findings("M006", record) == []


REQUIRE_TELEHEALTH = {"telehealth_modifier_required": True}


def test_m007_fires_where_the_payer_requires_gt_or_95_at_pos_02() -> None:
    # Four modifiers billed: no room for the payer's telehealth modifier on the claim.
    record = base(payer_id="MEDICAID", place_of_service="02")
    for s in record["services"]:
        s["modifiers"] = ["GP", "KX", "59", "76"]
    hits = findings("M007", record, params=REQUIRE_TELEHEALTH)
    assert [h.code for h in hits] == ["97110", "97140"]
    assert hits[0].fix is not None and hits[0].fix.value == "GT"


def test_m007_does_not_fire_on_lines_given_the_payers_first_telehealth_modifier() -> None:
    # The claim's lines carry Medicaid's first listed telehealth modifier (GT), and the
    # scrubber checks those lines.
    record = base(payer_id="MEDICAID", place_of_service="02")
    assert findings("M007", record, params=REQUIRE_TELEHEALTH) == []


def test_m007_does_not_fire_when_the_payer_does_not_require_it() -> None:
    assert findings("M007", base(payer_id="MEDICAID", place_of_service="02")) == []


def test_m007_does_not_fire_when_gt_is_present() -> None:
    record = base(payer_id="MEDICAID", place_of_service="02")
    for s in record["services"]:
        s["modifiers"] = ["GP", "GT"]
    assert findings("M007", record, params=REQUIRE_TELEHEALTH) == []


def test_m005_reads_running_figures_and_before_input_figures_alike() -> None:
    running = [
        base(visit_id="V-01", date_of_service="2026-02-02", kx_ytd_allowed="2300.00"),
        base(visit_id="V-02", date_of_service="2026-02-03", kx_ytd_allowed="2372.48"),
    ]
    same = [
        base(visit_id="V-01", date_of_service="2026-02-02", kx_ytd_allowed="2300.00"),
        base(visit_id="V-02", date_of_service="2026-02-03", kx_ytd_allowed="2300.00"),
    ]
    a = kx_status(context(base(kx_ytd_allowed="2444.96"), running))
    b = kx_status(context(base(kx_ytd_allowed="2300.00"), same))
    assert a is not None and b is not None
    assert a.ytd_with_visit == b.ytd_with_visit == Decimal("2517.44")  # 2300 + 3 x 72.48


def test_m005_does_not_count_an_exact_duplicate_visit_twice() -> None:
    earlier = [
        base(visit_id="V-01", date_of_service="2026-02-02", kx_ytd_allowed="2300.00"),
        base(visit_id="V-01b", date_of_service="2026-02-02", kx_ytd_allowed="2300.00"),
    ]
    status = kx_status(context(base(), earlier))
    assert status is not None and status.ytd_with_visit == Decimal("2444.96")  # 2300 + 2 x 72.48
