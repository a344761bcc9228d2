"""Server-rendered SVG charts for the provincial dashboards (issue 14): no JavaScript, print-safe.

Every chart is an accessible image (role="img", <title> and <desc> in the reader's language) and
carries the same figures as a plain HTML table (`chart.table`), which the page shows below it: a
screen reader cannot read the bars, and a printout in black and white loses the colours, so the
map's classes differ by marker shape as well as colour.

The drawing is sized in a 360-unit-wide viewBox and scales to its container (width 100 %, height
auto). Text is 15 units, so on a 360 px phone, where the card leaves the chart about 296 px, it is
still above 12 px.
"""

from __future__ import annotations

import math

from flask_babel import gettext as _
from markupsafe import Markup

from connector.i18n import format_number
from connector.reports.svg_map import BANDS, NO_TARGET, Band, band_for, commune_map
from connector.reports.svg_parts import (
    BAR,
    CHAR,
    FONT,
    GRID,
    INK,
    MUTED,
    WIDTH,
    Chart,
    _el,
    _empty,
    _n,
    _row,
    _svg,
    _table,
    _tag,
    _text,
    _uid,
    _with_unit,
)

__all__ = ["BANDS", "NO_TARGET", "Band", "Chart", "band_for", "commune_map", "nice_ticks", "trend_chart"]


def trend_chart(
    series: list[tuple[str, int | float]], *, title: str, target: float | None = None, unit: str = ""
) -> Chart:
    """A bar chart of one value per period ("T1/2026", "Tuần 12"), oldest first, with an optional
    dashed target line; `.table` holds the figures. An empty series draws "no data yet"."""
    uid = _uid("trend", title, series, target, unit)
    table = _trend_table(series, title=title, target=target, unit=unit)
    if not series:
        return _empty(uid, title, table)

    values = [value for _label, value in series]
    integer = all(float(v).is_integer() for v in values) and (target is None or float(target).is_integer())
    ticks = nice_ticks(min([0, *values]), max([0, *values, *([target] if target is not None else [])]),
                       integer=integer)
    tick_labels = [format_number(t) for t in ticks]

    left = max(len(label) for label in tick_labels) * CHAR + 10
    top = FONT + 20 if unit else 12
    right = 8
    plot_w = WIDTH - left - right
    plot_h = 190
    n = len(series)
    slot = plot_w / n
    labels = [label for label, _value in series]
    longest = max(len(label) for label in labels) * CHAR
    if longest + 6 <= slot:  # side by side, every label
        rotated, step, bottom = False, 1, FONT + 14
    else:  # slanted, as many as fit, always keeping the latest period
        rotated, step = True, max(1, math.ceil(FONT * 1.5 / slot))
        bottom = longest * 0.72 + FONT + 10
        first = (n - 1) % step  # the earliest label shown must not run off the left edge
        for _pass in range(2):
            reach = len(labels[first]) * CHAR * 0.72 + FONT * 0.7
            left = max(left, reach - (WIDTH - left - right) / n * (first + 0.5) + 2)
        plot_w = WIDTH - left - right
        slot = plot_w / n
    height = top + plot_h + bottom
    lo, hi = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return top + plot_h - (value - lo) / (hi - lo) * plot_h

    parts: list[Markup] = []
    if unit:
        parts.append(_text(4, FONT + 2, unit, fill=MUTED))
    for tick, text in zip(ticks, tick_labels, strict=True):
        ty = y(tick)
        parts.append(_tag("line", x1=left, x2=WIDTH - right, y1=ty, y2=ty, stroke=INK if tick == 0 else GRID,
                          **{"stroke-width": 1.5 if tick == 0 else 1}))
        parts.append(_text(left - 6, ty + FONT * 0.35, text, **{"text-anchor": "end", "class": "tick"}))

    bar_w = max(1.0, slot * 0.7)
    value_labels = all(len(format_number(v)) * CHAR + 4 <= slot for v in values)
    zero = y(max(lo, 0))
    for i, (label, value) in enumerate(series):
        x = left + slot * i + (slot - bar_w) / 2
        vy = y(value)
        tooltip = _("%(period)s: %(value)s", period=label, value=_with_unit(format_number(value), unit))
        bar = _tag("rect", x=x, y=min(vy, zero), width=bar_w, height=max(abs(zero - vy), 0.5), fill=BAR)
        parts.append(_el("g", {}, _el("title", {}, tooltip), bar))
        if value_labels:
            parts.append(_text(x + bar_w / 2, min(vy, zero) - 5, format_number(value), **{"text-anchor": "middle"}))
        if (n - 1 - i) % step == 0:
            cx = left + slot * (i + 0.5)
            if rotated:
                ly = top + plot_h + FONT
                parts.append(_text(cx + 4, ly, label, transform=f"rotate(-45 {_n(cx + 4)} {_n(ly)})",
                                   **{"text-anchor": "end"}))
            else:
                parts.append(_text(cx, top + plot_h + FONT + 6, label, **{"text-anchor": "middle"}))

    if target is not None:
        ty = y(target)
        parts.append(_tag("line", x1=left, x2=WIDTH - right, y1=ty, y2=ty, stroke=INK,
                          **{"stroke-width": 2, "stroke-dasharray": "7 4", "class": "target"}))
        above = ty - 6 - FONT >= 2  # room above the line, else write it below
        caption = _("Target: %(value)s", value=_with_unit(format_number(target), unit))
        parts.append(_text(WIDTH - right - 2, ty - 6 if above else ty + FONT + 2, caption, halo=True,
                           **{"text-anchor": "end", "font-weight": "bold", "class": "target-label"}))

    desc = _trend_description(series, target, unit)
    return _svg(uid, title, desc, height, parts, table)


def nice_ticks(lo: float, hi: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """Round axis ticks (steps of 1, 2 or 5 times a power of ten) covering lo..hi in at most `count`
    intervals, as many as fit; whole steps only when the figures are counts (`integer`)."""
    if hi <= lo:
        hi = lo + 1
    magnitude = 10 ** math.floor(math.log10((hi - lo) / count))
    for step in (m * magnitude for m in (1, 2, 5, 10, 20)):
        if integer and step < 1:
            continue
        if math.ceil(hi / step - 1e-9) - math.floor(lo / step + 1e-9) <= count:
            break
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    ticks = [round(start + i * step, 10) for i in range(round((stop - start) / step) + 1)]
    return [int(t) if float(t).is_integer() else t for t in ticks]


def _trend_description(series, target, unit) -> str:
    first, last = series[0], series[-1]
    highest = max(series, key=lambda item: item[1])
    text = _(
        "Bar chart of %(count)s periods from %(first)s to %(last)s. Latest: %(latest)s. "
        "Highest: %(highest)s (%(highest_period)s).",
        count=len(series), first=first[0], last=last[0], latest=_with_unit(format_number(last[1]), unit),
        highest=_with_unit(format_number(highest[1]), unit), highest_period=highest[0],
    )
    if target is not None:
        text += " " + _("Target: %(value)s", value=_with_unit(format_number(target), unit)) + "."
    return text


def _trend_table(series, *, title, target, unit) -> Markup:
    head = _("Value (%(unit)s)", unit=unit) if unit else _("Value")
    rows = [_row(label, format_number(value)) for label, value in series]
    foot = _el("tfoot", {}, _row(_("Target"), format_number(target))) if target is not None else ""
    return _table(title, _("Period"), head, rows, foot)


# -- commune map -----------------------------------------------------------------------------------
