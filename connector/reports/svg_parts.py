"""Drawing pieces shared by the dashboards' SVG chart and map (see svg.py): the accessible <svg>
wrapper with its figures as a table, escaped elements and text, numbers written the Vietnamese way."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from markupsafe import Markup

WIDTH = 360
FONT = 15  # user units; about 12.3 px when the chart is 296 px wide
CHAR = 0.58 * FONT  # a generous average glyph width, to keep labels from overlapping
INK = "#1d2a22"  # app.css body text
GRID = "#d8ded9"  # app.css table rules
BAR = "#0b6b3a"  # app.css brand green; prints as dark grey
MUTED = "#5a6b60"


class Chart(Markup):
    """The SVG itself (render it as it is) plus `.table`: the same figures as an HTML table."""

    table: Markup = Markup("")



def _svg(uid: str, title: str, desc: str, height: float, body: list[Markup], table: Markup) -> Chart:
    chart = Chart(_el(
        "svg",
        {"xmlns": "http://www.w3.org/2000/svg", "class": "chart", "role": "img",
         "viewBox": f"0 0 {WIDTH} {_n(height)}", "width": "100%", "preserveAspectRatio": "xMidYMid meet",
         "aria-labelledby": f"{uid}-t", "aria-describedby": f"{uid}-d",
         "font-family": "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif",
         "font-size": FONT, "fill": INK},
        _el("title", {"id": f"{uid}-t"}, title), _el("desc", {"id": f"{uid}-d"}, desc), *body,
    ))
    chart.table = table
    return chart


def _empty(uid: str, title: str, table: Markup) -> Chart:
    message = _("No data yet")
    body = [_tag("rect", x=0.5, y=0.5, width=WIDTH - 1, height=119, fill="none", stroke=GRID,
                 **{"stroke-dasharray": "6 4", "rx": 6}),
            _text(WIDTH / 2, 66, message, **{"text-anchor": "middle", "fill": MUTED, "class": "empty"})]
    return _svg(uid, title, message, 120, body, table)


def _uid(*parts) -> str:
    """An id stable for the same chart (cache-friendly) and distinct between charts on one page."""
    return "c" + hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()


def _with_unit(number: str, unit: str) -> str:
    return f"{number}\u00a0{unit}" if unit else number


def _n(value: float) -> str:
    """Coordinates with at most one decimal: smaller SVG, same picture."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _el(name: str, attrs: dict | None = None, *children) -> Markup:
    """An element; attribute values and text children are escaped (names come from data), Markup
    children are kept. Without children it closes itself (SVG shapes)."""
    rendered = Markup("").join(
        Markup(' {}="{}"').format(key, _n(value) if isinstance(value, float) else value)
        for key, value in (attrs or {}).items()
    )
    if not children:
        return Markup("<{}{}/>").format(name, rendered)
    return Markup("<{}{}>{}</{}>").format(name, rendered, Markup("").join(children), name)


def _tag(name: str, **attrs) -> Markup:
    return _el(name, attrs)


def _text(x: float, y: float, content: str, *, halo: bool = False, **attrs) -> Markup:
    if halo:  # a white outline under the letters keeps them legible over bars and grid lines
        attrs |= {"stroke": "#fff", "stroke-width": 4, "paint-order": "stroke", "stroke-linejoin": "round"}
    return _el("text", {"x": x, "y": y, **attrs}, content)


def _row(header, value) -> Markup:
    return _el("tr", {}, _el("th", {"scope": "row"}, header), _el("td", {"class": "num"}, value))


def _table(caption: str, key_heading: str, value_heading: str, rows: list[Markup], foot="") -> Markup:
    """The chart's figures for screen readers (and anyone who wants the exact numbers)."""
    if not rows:
        rows = [_el("tr", {}, _el("td", {"colspan": 2}, _("No data yet")))]
    head = _el("thead", {}, _el("tr", {}, _el("th", {"scope": "col"}, key_heading),
                                _el("th", {"scope": "col", "class": "num"}, value_heading)))
    return _el("table", {"class": "chart-data"}, _el("caption", {}, caption), head, _el("tbody", {}, *rows), foot)
