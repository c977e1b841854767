"""The assessment's definitions on hand-built records (docs/assess.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ptrcm.domain.assessment.aging import aging, projection
from ptrcm.domain.assessment.classify import DenialClass, judge
from ptrcm.domain.assessment.denial_figures import classes, denial_items, first_pass, volumes
from ptrcm.domain.assessment.records import Adjusted, AnsweredClaim, AnsweredLine, BilledClaim
from ptrcm.domain.assessment.underpaid import underpayments
from ptrcm.domain.denials import classify_adjustment
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money

AS_OF = date(2026, 3, 31)
DOS = date(2026, 1, 5)


def m(text: str) -> Money:
    return Money.of(text)


def line(
    code: str,
    paid: str,
    *adj: Adjusted,
    units: int = 1,
    charge: str = "100.00",
    allowed: str | None = None,
    modifiers: tuple[str, ...] = ("GP",),
) -> AnsweredLine:
    return AnsweredLine(
        code,
        modifiers,
        units,
        m(charge),
        m(paid),
        None if allowed is None else m(allowed),
        DOS,
        adj,
    )


def claim(
    pcn: str,
    status: str,
    paid: str,
    *lines: AnsweredLine,
    order: int = 0,
    charge: str = "100.00",
    paid_on: date = date(2026, 2, 1),
    cls: str = "medicare",
    adjustments: tuple[Adjusted, ...] = (),
) -> AnsweredClaim:
    return AnsweredClaim(
        "Medicare",
        "MCR",
        cls,
        pcn,
        status,
        m(charge),
        m(paid),
        paid_on,
        "P1",
        DOS,
        adjustments,
        lines,
        order,
        f"f.835 segment {order}",
    )


def test_each_class_and_its_evidence() -> None:
    auth = Adjusted("CO", "197", m("50.00"))
    doc = Adjusted("CO", "50", m("40.00"), ("N115",))
    mue = Adjusted("CO", "151", m("30.00"), ("N362",))
    cover = Adjusted("CO", "96", m("20.00"))
    rows = [claim("A", "4", "0.00", line("97110", "0.00", auth, doc, mue, cover))]
    items = denial_items(rows, AS_OF)
    assert [(i.carc, i.klass, i.rule) for i in items] == [
        ("197", DenialClass.PREVENTABLE, "A001"),
        ("50", DenialClass.DOCUMENTATION, None),
        ("151", DenialClass.PREVENTABLE, "N003"),
        ("96", DenialClass.APPEALABLE, None),
    ]
    appeal = items[3]
    # Medicare redetermination: remittance 2026-02-01 + 5 days presumed receipt + 120 days.
    assert appeal.appeal_due == date(2026, 6, 6) and appeal.appeal_days_left == 67
    by = {c.klass: c for c in classes(items)}
    assert by[DenialClass.PREVENTABLE].dollars == m("80.00")
    assert by[DenialClass.PREVENTABLE].by_rule == (("A001", 1, m("50.00")), ("N003", 1, m("30.00")))
    assert by[DenialClass.APPEALABLE].open_window_dollars == m("20.00")
    assert by[DenialClass.OTHER].count == 0


def test_a_not_appealable_denial_with_no_rule_is_other() -> None:
    found = classify_adjustment("CO", "96", ("N211",))
    assert judge(found, "medicare", DOS).klass is DenialClass.OTHER


def test_contractual_and_reversals_are_not_denials() -> None:
    rows = [
        claim("A", "1", "80.00", line("97110", "80.00", Adjusted("CO", "45", m("20.00")))),
        claim(
            "B",
            "22",
            "-80.00",
            line("97110", "-80.00", Adjusted("CR", "197", m("-20.00"))),
            order=1,
        ),
    ]
    assert denial_items(rows, AS_OF) == ()


def test_first_pass_counts_each_claims_first_primary_answer() -> None:
    denied = claim("A", "4", "0.00", line("97110", "0.00", Adjusted("CO", "197", m("100.00"))))
    paid_later = claim("A", "1", "80.00", line("97110", "80.00"), order=1, paid_on=date(2026, 3, 1))
    partly = claim(
        "B", "1", "40.00", line("97110", "40.00", Adjusted("CO", "151", m("60.00"))), order=2
    )
    clean = claim("C", "1", "100.00", line("97110", "100.00"), order=3)
    secondary = claim("D", "2", "10.00", line("97110", "10.00"), order=4)
    fp = first_pass([paid_later, denied, partly, clean, secondary])
    assert (fp.adjudicated, fp.with_denial, fp.denied_in_full) == (3, 2, 1)
    assert fp.denial_rate == Decimal(2) / 3


def test_volumes_net_reversals() -> None:
    rows = [
        claim("A", "1", "80.00", line("97110", "80.00")),
        claim("A", "22", "-80.00", line("97110", "-80.00"), order=1),
    ]
    (row,) = volumes(rows)
    assert (row.month, row.claims, row.charged, row.paid) == ("2026-02", 1, m("100.00"), m("0.00"))


def test_aging_buckets_and_days_in_ar() -> None:
    billed = [
        BilledClaim("A", "MCR", "medicare", m("100.00"), date(2026, 3, 20), "c.837"),  # no answer
        BilledClaim("B", "MCR", "medicare", m("100.00"), date(2026, 1, 15), "c.837"),  # denied
        BilledClaim("C", "MCR", "medicare", m("100.00"), date(2026, 1, 15), "c.837"),  # paid
        BilledClaim("D", "MCR", "medicare", m("100.00"), date(2026, 4, 2), "c.837"),  # after as-of
    ]
    answered = [
        claim("B", "4", "0.00", line("97110", "0.00", Adjusted("CO", "197", m("100.00")))),
        claim("C", "1", "80.00", line("97110", "80.00", Adjusted("CO", "45", m("20.00"))), order=1),
    ]
    rows = {r.payer_class: r for r in aging(billed, answered, AS_OF)}
    row = rows["medicare"]
    assert row.claims == (1, 0, 1, 0, 0)  # ages 11 and 75 days
    assert row.dollars == (m("100.00"), m("0.00"), m("100.00"), m("0.00"), m("0.00"))
    # 200.00 outstanding / (300.00 billed in the 90 days / 90) = 60 days
    assert row.days_in_ar == Decimal("60.00")
    assert rows["all"].total == m("200.00")


def test_projection_scales_denied_balances() -> None:
    from ptrcm.domain.assessment.aging import OpenClaim

    opened = [
        OpenClaim("A", "medicare", 10, m("100.00"), False),
        OpenClaim("B", "medicare", 70, m("200.00"), True),
    ]
    p = projection(100, 20, Decimal("0.95"), m("25.00"), opened)
    assert p is not None
    assert (p.rework_now, p.rework_at_target, p.rework_saved) == (20, 5, 15)
    assert p.cost_saved == m("375.00") and p.factor == Decimal("0.25")
    assert p.aging_at_target == (m("100.00"), m("0.00"), m("50.00"), m("0.00"), m("0.00"))


def test_underpayment_with_mppr_across_claims() -> None:
    schedule = FeeSchedule("test", {"97110": m("30.00"), "97140": m("28.00")})
    # Medicare: MPPR over the patient's lines of the day on both claims; paid what is due
    # with MPPR on one claim, and the full amount minus 5.00 on the other.
    first = claim(
        "A", "1", "30.00", line("97110", "24.00", Adjusted("PR", "2", m("6.00")), charge="60.00")
    )
    second = claim("B", "1", "20.00", line("97140", "20.00", charge="60.00"), order=1)
    result = underpayments([first, second], schedule)
    assert (result.checked, result.priced, result.not_priced) == (2, 2, 0)
    # 97110 holds the day's highest-PE unit (paid in full: 30.00, no variance); 97140's PE
    # is cut by half (2026 PFS PE share of 97140: 28.00 - 6.58 = 21.42), paid 20.00.
    (item,) = result.items
    assert (item.pcn, item.expected, item.allowed, item.variance) == (
        "B",
        m("21.42"),
        m("20.00"),
        m("1.42"),
    )
    # Alone on its day, 97140 is expected in full.
    (alone,) = underpayments([second], schedule).items
    assert alone.expected == m("28.00")
    unknown = claim("C", "1", "10.00", line("97110", "10.00"), cls="unknown", order=2)
    assert underpayments([unknown], schedule).not_priced == 1
