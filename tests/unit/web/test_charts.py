"""The SVG charts: structure, proportions, accessibility and escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from ptrcm.web.charts import (
    Series,
    bar_chart,
    heatmap,
    line_chart,
    nice_ceiling,
    pareto_chart,
    stacked_bar_chart,
)

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def marks(root: ET.Element, cls: str, tag: str = "rect") -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['s']}}}{tag}") if cls in e.get("class", "").split()]


def bar(labels: list[str], values: list[int]) -> ET.Element:
    chart = bar_chart("t", "Title", "Description", labels, values, x_label="X", y_label="Y")
    return parse(chart)


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [
        (0, 1.0),
        (1, 1.0),
        (7, 10.0),
        (12, 20.0),
        (24, 25.0),
        (26, 50.0),
        (0.9, 1.0),
        (180000, 200000),
    ],
)
def test_nice_ceiling_rounds_up_to_one_two_two_and_a_half_or_five(
    value: float, ceiling: float
) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_a_bar_chart_draws_one_bar_per_value() -> None:
    root = bar(["a", "b", "c"], [1, 2, 3])
    assert len(marks(root, "bar")) == 3


def test_bar_heights_are_proportional_to_the_values() -> None:
    root = bar(["a", "b", "c"], [10, 20, 40])
    heights = [float(b.get("height", "0")) for b in marks(root, "bar")]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert heights[2] == pytest.approx(4 * heights[0])


def test_bars_stand_on_the_same_baseline() -> None:
    root = bar(["a", "b"], [5, 9])
    bottoms = {
        round(float(b.get("y", "0")) + float(b.get("height", "0")), 1) for b in marks(root, "bar")
    }
    assert len(bottoms) == 1


def test_a_chart_is_an_accessible_image_with_title_and_description() -> None:
    root = bar(["a"], [1])
    assert root.get("role") == "img"
    title = root.find("s:title", NS)
    desc = root.find("s:desc", NS)
    assert title is not None and title.text == "Title"
    assert desc is not None and desc.text == "Description"
    assert root.get("aria-labelledby") == "t-title t-desc"
    axis_labels = [e.text for e in root.iter() if "axis-label" in e.get("class", "")]
    assert axis_labels == ["Y", "X"]


def test_every_bar_carries_its_exact_value_in_a_tooltip() -> None:
    chart = bar_chart(
        "t", "T", "D", ["Medicare"], [Decimal("1234.50")], x_label="X", y_label="Y",
        fmt=lambda v: f"${v}",
    )  # fmt: skip
    (only,) = marks(parse(chart), "bar")
    tip = only.find("s:title", NS)
    assert tip is not None and tip.text == "Medicare: $1234.50"
    assert only.get("data-value") == "1234.50"


def test_labels_and_titles_are_escaped() -> None:
    chart = bar_chart(
        "t", "<script>alert(1)</script>", 'a "quoted" & <b>', ["<i>x</i>"], [1],
        x_label="<X>", y_label="Y&Z",
    )  # fmt: skip
    assert "<script>" not in chart and "<i>" not in chart
    root = parse(chart)  # still well-formed XML
    title = root.find("s:title", NS)
    assert title is not None and title.text == "<script>alert(1)</script>"


def test_a_stacked_bar_has_one_segment_per_series_and_category() -> None:
    chart = stacked_bar_chart(
        "s", "T", "D", ["A", "B"], [Series("low", [1, 2]), Series("high", [3, 4])],
        x_label="X", y_label="Y",
    )  # fmt: skip
    root = parse(chart)
    segments = marks(root, "segment")
    assert len(segments) == 4
    a_low, a_high = (float(s.get("height", "0")) for s in segments[:2])
    assert a_high == pytest.approx(3 * a_low)


def test_a_line_chart_with_two_series_has_two_axes_and_two_lines() -> None:
    chart = line_chart(
        "l", "T", "D", ["w1", "w2", "w3"], Series("cash", [100, 200, 300]),
        Series("visits", [10, 5, 20]), x_label="Week", left_label="Cash", right_label="Visits",
    )  # fmt: skip
    root = parse(chart)
    assert len(marks(root, "line", "polyline")) == 2
    assert len(marks(root, "point", "circle")) == 6
    labels = [e.text for e in root.iter() if "axis-label-y" in e.get("class", "")]
    assert labels == ["Cash", "Visits"]


def test_a_pareto_sorts_bars_largest_first_and_ends_the_cumulative_line_at_100() -> None:
    chart = pareto_chart(
        "p", "T", "D", ["small", "big", "mid"], [1, 6, 3], x_label="X", y_label="Y"
    )
    root = parse(chart)
    values = [b.get("data-value") for b in marks(root, "bar")]
    assert values == ["6", "3", "1"]
    cumulative = [c.get("data-value") for c in marks(root, "point", "circle")]
    assert cumulative == ["60.0", "90.0", "100.0"]


def test_a_heatmap_has_a_cell_per_slot_and_darker_cells_for_larger_values() -> None:
    chart = heatmap(
        "h", "T", "D", ["Mon", "Tue"], ["8:00", "9:00"], [[Decimal("0.1"), None], [0.4, 0.2]],
        x_label="Hour", y_label="Day",
    )  # fmt: skip
    root = parse(chart)
    cells = marks(root, "cell")
    assert len(cells) == 4
    assert len(marks(root, "cell-empty")) == 1
    shade = {
        c.get("data-value"): float(c.get("fill-opacity", "0")) for c in cells if c.get("data-value")
    }
    assert shade["0.4"] == pytest.approx(1.0)
    assert shade["0.1"] < shade["0.2"] < shade["0.4"]


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        bar_chart("b", "T", "D", ["a", "b"], [1], x_label="X", y_label="Y")


def test_long_category_labels_are_shortened_not_dropped() -> None:
    labels = [f"Payer with a very long name {i}" for i in range(6)]
    root = bar(labels, [1, 2, 3, 4, 5, 6])
    ticks = [e.text or "" for e in root.iter() if "tick-x" in e.get("class", "")]
    assert len(ticks) == 6
    assert all(t.endswith("…") for t in ticks)
