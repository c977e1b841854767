"""Building blocks of the SVG charts: scales, axes, legends and marks (internal)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

Number = Decimal | int | float
Formatter = Callable[[Number], str]

WIDTH = 560
HEIGHT = 270
LABEL_CHAR_PX = 7.2  # rough width of one tick-label character at the chart font size
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 20, 56
MAX_X_LABELS = 13


@dataclass(frozen=True, slots=True)
class Series:
    """A named sequence of values, one per category or point."""

    name: str
    values: Sequence[Number]


def plain(value: Number) -> str:
    """Default formatter: the number as written, without trailing float noise."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value`` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = step * float(10.0**exponent)
        if candidate >= value * (1 - 1e-12):
            return candidate
    return float(10.0 ** (exponent + 1))  # pragma: no cover - the loop always returns


def esc(text: str) -> str:
    return escape(text, quote=True)


@dataclass(frozen=True, slots=True)
class Frame:
    """The plotting area inside the margins."""

    width: int
    height: int
    right: int = RIGHT

    @property
    def x0(self) -> float:
        return float(LEFT)

    @property
    def x1(self) -> float:
        return float(self.width - self.right)

    @property
    def y0(self) -> float:
        return float(self.height - BOTTOM)

    @property
    def y1(self) -> float:
        return float(TOP)

    def y_of(self, value: float, top: float) -> float:
        return self.y0 - (self.y0 - self.y1) * (value / top if top else 0.0)


def open_svg(chart_id: str, title: str, desc: str, width: int, height: int, kind: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img"'
        f' viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{esc(desc)}</desc>',
    ]


def y_axis(frame: Frame, top: float, fmt: Formatter, label: str, side: str = "left") -> list[str]:
    parts: list[str] = []
    x = frame.x0 if side == "left" else frame.x1
    anchor = "end" if side == "left" else "start"
    dx = -6 if side == "left" else 6
    for i in range(5):
        value = top * i / 4
        y = frame.y_of(value, top)
        if side == "left":
            parts.append(
                f'<line class="grid" x1="{frame.x0:.1f}" x2="{frame.x1:.1f}"'
                f' y1="{y:.1f}" y2="{y:.1f}"/>'
            )
        parts.append(
            f'<text class="tick" x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">'
            f"{esc(fmt(tick_value(value)))}</text>"
        )
    lx = 14 if side == "left" else frame.width - 6
    cy = (frame.y0 + frame.y1) / 2
    parts.append(
        f'<text class="axis-label axis-label-y" x="{lx}" y="{cy:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 {lx} {cy:.1f})">{esc(label)}</text>'
    )
    return parts


def tick_value(value: float) -> Number:
    return int(value) if float(value).is_integer() else value


def x_axis(
    frame: Frame, labels: Sequence[str], centers: Sequence[float], label: str, *, skip: bool
) -> list[str]:
    """Tick labels under the plot: a time axis skips labels, a category axis shortens them."""
    parts = [
        f'<line class="axis" x1="{frame.x0:.1f}" x2="{frame.x1:.1f}"'
        f' y1="{frame.y0:.1f}" y2="{frame.y0:.1f}"/>'
    ]
    room = (frame.x1 - frame.x0) / max(len(labels), 1)
    fits = max(3, int((room - 6) / LABEL_CHAR_PX))
    longest = max((len(t) for t in labels), default=1)
    every = 1
    if skip:
        every = max(math.ceil(len(labels) / MAX_X_LABELS), math.ceil(longest / fits))
    for i, (text, cx) in enumerate(zip(labels, centers, strict=True)):
        if i % every:
            continue
        shown = text if skip or len(text) <= fits else text[: fits - 1].rstrip() + "…"
        parts.append(
            f'<text class="tick tick-x" x="{cx:.1f}" y="{frame.y0 + 16:.1f}"'
            f' text-anchor="middle">{esc(shown)}</text>'
        )
    parts.append(
        f'<text class="axis-label axis-label-x" x="{(frame.x0 + frame.x1) / 2:.1f}"'
        f' y="{frame.height - 8}" text-anchor="middle">{esc(label)}</text>'
    )
    return parts


def slots(frame: Frame, n: int) -> tuple[list[float], float]:
    """Centre x of ``n`` equal slots and the bar width inside each."""
    slot = (frame.x1 - frame.x0) / max(n, 1)
    return [frame.x0 + slot * (i + 0.5) for i in range(n)], slot * 0.64


def legend(names: Sequence[str], frame: Frame, kinds: Sequence[str] | None = None) -> list[str]:
    parts = ['<g class="legend">']
    x = frame.x0
    for i, name in enumerate(names):
        kind = kinds[i] if kinds else "box"
        mark = (
            f'<rect class="series-{i}" x="{x:.1f}" y="4" width="10" height="10"/>'
            if kind == "box"
            else f'<line class="line series-{i}" x1="{x:.1f}" x2="{x + 12:.1f}" y1="9" y2="9"/>'
        )
        parts.append(mark)
        parts.append(f'<text class="legend-text" x="{x + 16:.1f}" y="13">{esc(name)}</text>')
        x += 28 + 7 * len(name)
    parts.append("</g>")
    return parts


def rect(cls: str, x: float, y: float, w: float, h: float, value: Number, tip: str) -> str:
    return (
        f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.2f}"'
        f' data-value="{esc(str(value))}"><title>{esc(tip)}</title></rect>'
    )


def polyline(
    frame: Frame, centers: Sequence[float], labels: Sequence[str], s: Series, top: float,
    index: int, fmt: Formatter,
) -> list[str]:  # fmt: skip
    points = [(cx, frame.y_of(float(v), top)) for cx, v in zip(centers, s.values, strict=True)]
    parts = [
        f'<polyline class="line series-{index}" fill="none" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        + '"/>'
    ]
    for (x, y), text, value in zip(points, labels, s.values, strict=True):
        parts.append(
            f'<circle class="point series-{index}" cx="{x:.1f}" cy="{y:.1f}" r="3"'
            f' data-value="{esc(str(value))}"><title>{esc(f"{text}, {s.name}: {fmt(value)}")}'
            "</title></circle>"
        )
    return parts
