"""Server-side SVG charts: pure functions from numbers to accessible markup.

No JavaScript and no network: every chart is an ``<svg role="img">`` with a ``<title>`` and
``<desc>``, labelled axes, and a ``<title>`` tooltip on each mark giving its exact value.
Colours come from CSS classes (``series-0`` …) so the stylesheet owns the look. Geometry
uses floats; the values shown to people are formatted by the caller's ``fmt``.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from ptrcm.web.svg_marks import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Formatter,
    Frame,
    Number,
    Series,
    esc,
    legend,
    nice_ceiling,
    open_svg,
    plain,
    polyline,
    rect,
    slots,
    x_axis,
    y_axis,
)

__all__ = [
    "Number",
    "Series",
    "bar_chart",
    "heatmap",
    "line_chart",
    "nice_ceiling",
    "pareto_chart",
    "plain",
    "stacked_bar_chart",
]


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    x_label: str,
    y_label: str,
    fmt: Formatter = plain,
    tick_fmt: Formatter | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """One bar per label; bar heights are proportional to the values (zero at the axis).

    ``fmt`` writes the exact value in each tooltip, ``tick_fmt`` (default ``fmt``) the axis.
    """
    if len(labels) != len(values):
        raise ValueError("bar_chart needs one value per label")
    frame = Frame(width, height)
    top = nice_ceiling(max((float(v) for v in values), default=0.0))
    centers, bar_w = slots(frame, len(values))
    parts = open_svg(chart_id, title, desc, width, height, "bar")
    parts += y_axis(frame, top, tick_fmt or fmt, y_label)
    for text, value, cx in zip(labels, values, centers, strict=True):
        y = frame.y_of(max(float(value), 0.0), top)
        parts.append(
            rect(
                "bar series-0",
                cx - bar_w / 2,
                y,
                bar_w,
                frame.y0 - y,
                value,
                f"{text}: {fmt(value)}",
            )
        )
    parts += x_axis(frame, labels, centers, x_label, skip=False)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def stacked_bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    fmt: Formatter = plain,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """One bar per category made of one segment per series, stacked bottom-up in order."""
    if any(len(s.values) != len(categories) for s in series):
        raise ValueError("stacked_bar_chart needs one value per category in every series")
    frame = Frame(width, height)
    totals = [sum(float(s.values[i]) for s in series) for i in range(len(categories))]
    top = nice_ceiling(max(totals, default=0.0))
    centers, bar_w = slots(frame, len(categories))
    parts = open_svg(chart_id, title, desc, width, height, "stacked")
    parts += y_axis(frame, top, fmt, y_label)
    for i, (cat, cx) in enumerate(zip(categories, centers, strict=True)):
        base = 0.0
        parts.append(f'<g class="stack" data-category="{esc(cat)}">')
        for k, s in enumerate(series):
            value = s.values[i]
            y_low, y_high = frame.y_of(base, top), frame.y_of(base + float(value), top)
            tip = f"{cat}, {s.name}: {fmt(value)}"
            parts.append(
                rect(
                    f"segment series-{k}", cx - bar_w / 2, y_high, bar_w, y_low - y_high, value, tip
                )
            )
            base += float(value)
        parts.append("</g>")
    parts += x_axis(frame, categories, centers, x_label, skip=False)
    parts += legend([s.name for s in series], frame)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    left: Series,
    right: Series | None = None,
    *,
    x_label: str,
    left_label: str,
    right_label: str = "",
    left_fmt: Formatter = plain,
    right_fmt: Formatter = plain,
    left_top: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """A line on the left axis and, optionally, a second line on its own right axis."""
    if len(left.values) != len(labels) or (right and len(right.values) != len(labels)):
        raise ValueError("line_chart needs one value per label in each series")
    frame = Frame(width, height, right=LEFT if right else RIGHT)
    centers, _ = slots(frame, len(labels))
    l_top = left_top or nice_ceiling(max((float(v) for v in left.values), default=0.0))
    parts = open_svg(chart_id, title, desc, width, height, "line")
    parts += y_axis(frame, l_top, left_fmt, left_label)
    parts += polyline(frame, centers, labels, left, l_top, 0, left_fmt)
    names = [left.name]
    if right is not None:
        r_top = nice_ceiling(max((float(v) for v in right.values), default=0.0))
        parts += y_axis(frame, r_top, right_fmt, right_label, side="right")
        parts += polyline(frame, centers, labels, right, r_top, 1, right_fmt)
        names.append(right.name)
    parts += x_axis(frame, labels, centers, x_label, skip=True)
    parts += legend(names, frame, ["line"] * len(names))
    parts.append("</svg>")
    return Markup("\n".join(parts))


def pareto_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    x_label: str,
    y_label: str,
    fmt: Formatter = plain,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """Bars sorted largest first, with the cumulative share as a line on a 0–100 % axis."""
    if len(labels) != len(values):
        raise ValueError("pareto_chart needs one value per label")
    pairs = sorted(zip(labels, values, strict=True), key=lambda p: float(p[1]), reverse=True)
    total = sum(float(v) for _, v in pairs)
    frame = Frame(width, height, right=LEFT)
    top = nice_ceiling(max((float(v) for _, v in pairs), default=0.0))
    centers, bar_w = slots(frame, len(pairs))
    parts = open_svg(chart_id, title, desc, width, height, "pareto")
    parts += y_axis(frame, top, fmt, y_label)
    for (text, value), cx in zip(pairs, centers, strict=True):
        y = frame.y_of(float(value), top)
        parts.append(
            rect(
                "bar series-0",
                cx - bar_w / 2,
                y,
                bar_w,
                frame.y0 - y,
                value,
                f"{text}: {fmt(value)}",
            )
        )
    running, cumulative = 0.0, []
    for _, value in pairs:
        running += float(value)
        cumulative.append(round(100 * running / total, 1) if total else 0.0)
    names = [text for text, _ in pairs]
    percent: Formatter = lambda v: f"{plain(v)}%"  # noqa: E731
    parts += y_axis(frame, 100.0, percent, "Cumulative share", side="right")
    parts += polyline(frame, centers, names, Series("cumulative", cumulative), 100.0, 1, percent)
    parts += x_axis(frame, names, centers, x_label, skip=False)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def heatmap(
    chart_id: str,
    title: str,
    desc: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cells: Sequence[Sequence[Number | None]],
    *,
    x_label: str,
    y_label: str,
    fmt: Formatter = plain,
    width: int = WIDTH,
) -> Markup:
    """A grid of cells shaded by value (darker is higher); ``None`` is an empty cell."""
    if len(cells) != len(row_labels) or any(len(r) != len(col_labels) for r in cells):
        raise ValueError("heatmap needs one row per row label and one cell per column label")
    cell_h = 28
    height = TOP + cell_h * len(row_labels) + BOTTOM
    frame = Frame(width, height)
    cell_w = (frame.x1 - frame.x0) / max(len(col_labels), 1)
    peak = max((float(v) for row in cells for v in row if v is not None), default=0.0)
    parts = open_svg(chart_id, title, desc, width, height, "heatmap")
    for r, (row_label, row) in enumerate(zip(row_labels, cells, strict=True)):
        y = TOP + r * cell_h
        parts.append(
            f'<text class="tick" x="{frame.x0 - 6:.1f}" y="{y + cell_h / 2 + 4:.1f}"'
            f' text-anchor="end">{esc(row_label)}</text>'
        )
        for c, value in enumerate(row):
            x = frame.x0 + c * cell_w
            where = f"{row_label} {col_labels[c]}"
            if value is None:
                parts.append(
                    f'<rect class="cell cell-empty" x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}"'
                    f' height="{cell_h - 2}"><title>{esc(where)}: no visits</title></rect>'
                )
                continue
            shade = 0.08 + 0.92 * (float(value) / peak if peak else 0.0)
            parts.append(
                f'<rect class="cell" x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}"'
                f' height="{cell_h - 2}" fill-opacity="{shade:.2f}"'
                f' data-value="{esc(str(value))}"><title>{esc(f"{where}: {fmt(value)}")}'
                "</title></rect>"
            )
    centers = [frame.x0 + cell_w * (c + 0.5) for c in range(len(col_labels))]
    frame_axis = Frame(width, height)
    parts += x_axis(frame_axis, col_labels, centers, x_label, skip=True)[1:]
    cy = TOP + cell_h * len(row_labels) / 2
    parts.append(
        f'<text class="axis-label axis-label-y" x="14" y="{cy:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 14 {cy:.1f})">{esc(y_label)}</text>'
    )
    parts.append("</svg>")
    return Markup("\n".join(parts))
