"""Table sorting, cell formatting and CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.web.formatting import format_unit, money, percent, trend
from ptrcm.web.ports import KpiTile, Period, Unit
from ptrcm.web.tables import Column, Kind, build_table, csv_text, sort_rows


@dataclass(frozen=True, slots=True)
class Row:
    claim_id: str | None
    amount: Decimal
    due: date | None


ROWS = [
    Row("C-1", Decimal("10.00"), date(2026, 4, 1)),
    Row("C-2", Decimal("250.50"), None),
    Row(None, Decimal("99.99"), date(2026, 3, 1)),
]
COLUMNS = (
    Column("claim_id", "Claim", link="/claims/{claim_id}"),
    Column("amount", "Amount", Kind.money),
    Column("due", "Due", Kind.date),
)


def test_sorting_by_amount_descending_puts_the_largest_first() -> None:
    ordered = sort_rows(ROWS, COLUMNS, "amount", descending=True)
    assert [r.amount for r in ordered] == [Decimal("250.50"), Decimal("99.99"), Decimal("10.00")]


def test_blank_values_sort_last_in_either_direction() -> None:
    for descending in (False, True):
        ordered = sort_rows(ROWS, COLUMNS, "due", descending)
        assert ordered[-1].due is None


def test_an_unknown_sort_column_keeps_the_given_order() -> None:
    assert sort_rows(ROWS, COLUMNS, "__class__", descending=False) == ROWS


def test_a_table_formats_money_links_claims_and_marks_the_sorted_header() -> None:
    view = build_table(
        "t", "Title", ROWS, COLUMNS, page_url="/queues/x",
        query={"sort": "amount", "dir": "desc", "table": "t"}, csv_url="/api/x?format=csv",
    )  # fmt: skip
    first = view.rows[0]
    assert first[0].text == "C-2" and first[0].href == "/claims/C-2"
    assert first[1].text == "$250.50" and first[1].numeric
    assert view.rows[1][0].text == "—" and view.rows[1][0].href is None
    states = {h.label: h.state for h in view.headers}
    assert states == {"Claim": "", "Amount": "desc", "Due": ""}
    amount = next(h for h in view.headers if h.label == "Amount")
    assert "sort=amount" in amount.href and "dir=asc" in amount.href


def test_csv_has_the_column_keys_and_raw_values() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(ROWS, COLUMNS))))
    assert rows[0] == ["claim_id", "amount", "due"]
    assert rows[1] == ["C-1", "10.00", "2026-04-01"]
    assert rows[2] == ["C-2", "250.50", ""]


def test_csv_text_cannot_start_a_spreadsheet_formula() -> None:
    text = csv_text([Row("=HYPERLINK(1)", Decimal("1.00"), None)], COLUMNS)
    assert "'=HYPERLINK(1)" in text


def test_money_and_percent_read_as_people_expect() -> None:
    assert money(Decimal("1234.5")) == "$1,234.50"
    assert money(Decimal("-12")) == "-$12.00"
    assert percent(Decimal("0.9425")) == "94.3%"


def tile(value: str, previous: str, unit: Unit, higher_is_better: bool) -> KpiTile:
    return KpiTile("k", "K", Decimal(value), Decimal(previous), unit, higher_is_better)


def test_a_falling_denial_rate_is_a_green_down_arrow() -> None:
    t = trend(tile("0.064", "0.071", Unit.percent, higher_is_better=False))
    assert t is not None
    assert (t.arrow, t.tone, t.change) == ("▼", "good", "-0.7 pts")


def test_a_falling_first_pass_rate_is_a_red_down_arrow() -> None:
    t = trend(tile("0.887", "0.902", Unit.percent, higher_is_better=True))
    assert t is not None and (t.arrow, t.tone) == ("▼", "bad")


def test_cash_growth_is_shown_in_dollars() -> None:
    t = trend(tile("1350.00", "100.00", Unit.money, higher_is_better=True))
    assert t is not None and (t.arrow, t.tone, t.change) == ("▲", "good", "+$1,250.00")


def test_a_change_from_nothing_is_still_in_the_unit_not_a_raw_number() -> None:
    cash = trend(tile("12.5", "0", Unit.money, higher_is_better=True))
    visits = trend(tile("1200", "0", Unit.number, higher_is_better=True))
    days = trend(tile("30.04", "32.1", Unit.days, higher_is_better=False))
    assert cash is not None and cash.change == "+$12.50"
    assert visits is not None and visits.change == "+1,200"
    assert days is not None and days.change == "-2.1 days"


def test_a_kpi_without_a_denominator_reads_as_a_dash_with_no_trend() -> None:
    empty = KpiTile("k", "K", None, Decimal("0.5"), Unit.percent, True)
    assert format_unit(None, Unit.percent) == "—"
    assert format_unit(None, Unit.money) == "—"
    assert percent(None) == "—"
    assert trend(empty) is None
    assert trend(KpiTile("k", "K", Decimal("0.5"), None, Unit.percent, True)) is None


def test_no_change_is_a_neutral_flat_arrow() -> None:
    t = trend(tile("5", "5", Unit.number, higher_is_better=True))
    assert t is not None and (t.direction, t.tone) == ("flat", "neutral")


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    span = Period(date(2026, 3, 1), date(2026, 3, 31))
    before = span.previous()
    assert before == Period(date(2026, 1, 29), date(2026, 2, 28))
    assert before.days == span.days == 31
