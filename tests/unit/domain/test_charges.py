from __future__ import annotations

from datetime import date
from decimal import Decimal

from ptrcm.config import load_config
from ptrcm.domain.charges import ChargePolicy, build_charges, resolve_unit_method
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod
from ptrcm.domain.visits import Provider, SecondaryCoverage, Service, Visit
from ptrcm.services.claims.charging import charge_visit

CATALOG = load_catalog()
CONFIG = load_config()


def visit(
    *services: Service, payer: str = "MEDICARE", discipline: str = "PT", **kw: object
) -> Visit:
    return Visit(
        visit_id="V-1",
        patient_id="P-1",
        date_of_service=date(2026, 3, 2),
        payer_id=payer,
        discipline=discipline,
        rendering=Provider("PT", "1234567893"),
        services=services,
        diagnoses=("M54.16", "M62.81"),
        **kw,  # type: ignore[arg-type]
    )


def test_medicare_lines_get_cms_units_gp_pointers_and_charges() -> None:
    charges = charge_visit(
        visit(Service("97110", 33), Service("97140", 7), Service("97010")), CONFIG, CATALOG
    )
    lines = {ln.code: ln for ln in charges.lines}
    assert lines["97110"].units == 2
    assert lines["97140"].units == 1
    assert lines["97110"].modifiers == ("GP",)
    assert lines["97110"].dx_pointers == (1, 2)
    assert lines["97110"].charge == Money.of("110.00")
    assert lines["97010"].charge == Money.of("20.00")
    assert [ln.line_number for ln in charges.lines] == [1, 2, 3]


def test_commercial_per_code_method_drops_a_seven_minute_code() -> None:
    charges = charge_visit(
        visit(Service("97110", 33), Service("97140", 7), payer="COMMERCIAL"), CONFIG, CATALOG
    )
    assert [(ln.code, ln.units) for ln in charges.lines] == [("97110", 2)]
    assert charges.dropped == ("97140",)


def test_what_the_emr_billed_is_kept_beside_the_expected_units() -> None:
    charges = charge_visit(visit(Service("97110", 20, units=3, modifiers=("GO",))), CONFIG, CATALOG)
    [line] = charges.lines
    assert (line.units, line.expected_units, line.modifiers) == (3, 1, ("GO",))


def test_occupational_and_speech_visits_get_go_and_gn() -> None:
    ot = charge_visit(visit(Service("97530", 30), discipline="OT"), CONFIG, CATALOG)
    slp = charge_visit(visit(Service("92507"), discipline="SLP"), CONFIG, CATALOG)
    assert ot.lines[0].modifiers == ("GO",)
    assert slp.lines[0].modifiers == ("GN",)


def test_assistant_units_get_cq_or_co_and_a_therapists_units_do_not() -> None:
    # 97110 30 minutes: the PTA alone for 4, the PT for 26. The PT's full unit and the PT's
    # 11 leftover minutes (past the 8-minute threshold) make both units the PT's.
    therapist = charge_visit(visit(Service("97110", 30, assistant_minutes=4)), CONFIG, CATALOG)
    ot = charge_visit(
        visit(Service("97530", 30, assistant_minutes=30), discipline="OT"), CONFIG, CATALOG
    )
    assert [(ln.modifiers, ln.units) for ln in therapist.lines] == [(("GP",), 2)]
    assert [(ln.modifiers, ln.units) for ln in ot.lines] == [(("GO", "CO"), 2)]


def test_the_same_code_twice_becomes_one_line() -> None:
    charges = charge_visit(visit(Service("97110", 10), Service("97110", 12)), CONFIG, CATALOG)
    assert [(ln.code, ln.units, ln.minutes) for ln in charges.lines] == [("97110", 1, 22)]


def test_non_therapy_codes_get_no_discipline_modifier() -> None:
    charges = build_charges(
        visit(Service("98940")), ChargePolicy(UnitMethod.AMA), CONFIG.charge_for, CATALOG
    )
    assert charges.lines[0].modifiers == ()


def test_unit_method_conflict_follows_the_primary_or_always_cms() -> None:
    assert resolve_unit_method(UnitMethod.AMA, UnitMethod.CMS, "primary") is UnitMethod.AMA
    assert resolve_unit_method(UnitMethod.AMA, UnitMethod.CMS, "cms") is UnitMethod.CMS
    assert resolve_unit_method(UnitMethod.AMA, UnitMethod.AMA, "cms") is UnitMethod.AMA
    assert resolve_unit_method(UnitMethod.AMA, None, "cms") is UnitMethod.AMA


def test_a_commercial_primary_with_medicare_secondary_uses_cms_when_configured() -> None:
    v = visit(
        Service("97110", 33), Service("97140", 7),
        payer="COMMERCIAL", secondary=SecondaryCoverage("MEDICARE", "1EG4"),
    )  # fmt: skip
    follow = charge_visit(v, CONFIG, CATALOG)
    cms_config = type(CONFIG)(**{**_fields(CONFIG), "unit_method_conflict": "cms"})
    always_cms = charge_visit(v, cms_config, CATALOG)
    assert [ln.code for ln in follow.lines] == ["97110"]
    assert [ln.code for ln in always_cms.lines] == ["97110", "97140"]


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def test_charge_multiplies_the_charge_master_rate_by_units_exactly() -> None:
    charges = charge_visit(visit(Service("97112", 53)), CONFIG, CATALOG)
    assert charges.lines[0].units == 4
    assert charges.lines[0].charge.amount == Decimal("232.00")


def test_a_code_of_another_discipline_gets_no_discipline_modifier() -> None:
    # 92507 is speech-language pathology: never GP on a PT visit (the scrubber's M011 says
    # to bill it under an SLP plan of care with GN).
    charges = charge_visit(visit(Service("97110", 30), Service("92507")), CONFIG, CATALOG)
    mods = {ln.code: ln.modifiers for ln in charges.lines}
    assert mods == {"97110": ("GP",), "92507": ()}
    ot_eval = charge_visit(visit(Service("97165")), CONFIG, CATALOG)
    assert ot_eval.lines[0].modifiers == ()
