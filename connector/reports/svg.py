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

import hashlib
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from connector.i18n import format_number

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


@dataclass(frozen=True)
class Band:
    """One class of the map: percentages of the target from `low` (inclusive) to `high` (exclusive)."""

    key: str
    low: float | None
    high: float | None
    colour: str
    shape: str
    label: object  # a lazy string, rendered in the reader's language


# Warm to green as a commune nears its target; the shapes carry the same order for print and for
# colour-blind readers (lagging communes point down, those close to the target point up).
BANDS: tuple[Band, ...] = (
    Band("lt25", 0, 25, "#b3261e", "triangle-down", _l("Under 25 %")),
    Band("lt50", 25, 50, "#ef8a3c", "square", _l("25 to under 50 %")),
    Band("lt75", 50, 75, "#f2cc4d", "diamond", _l("50 to under 75 %")),
    Band("lt100", 75, 100, "#8cc97f", "triangle-up", _l("75 to under 100 %")),
    Band("reached", 100, None, "#0b6b3a", "circle", _l("At least 100 %")),
)
NO_TARGET = Band("none", None, None, "#ffffff", "ring", _l("No target"))


def band_for(percent: float | None) -> Band:
    """The map class of a commune's percentage of its target (NO_TARGET when it has none)."""
    if percent is None or math.isnan(percent):
        return NO_TARGET
    for band in BANDS[:-1]:
        if percent < band.high:
            return band
    return BANDS[-1]


# -- trend chart -----------------------------------------------------------------------------------

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

MAP_MAX_HEIGHT = 440
MAP_PAD = 14


def commune_map(points: list[dict], *, title: str) -> Chart:
    """Each commune a marker at its coordinates (north up), classed by % of its target with colour
    and shape, a legend below; markers link to `href` when given. `.table` lists every commune."""
    uid = _uid("map", title, points)
    table = _map_table(points, title=title)
    placed = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    if not placed:
        return _empty(uid, title, table)

    # Equirectangular: a degree of longitude is cos(latitude) as long as a degree of latitude.
    k = math.cos(math.radians(sum(p["lat"] for p in placed) / len(placed)))
    xs = [p["lon"] * k for p in placed]
    ys = [-p["lat"] for p in placed]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    radius_room = 10
    inner_w = WIDTH - 2 * (MAP_PAD + radius_room)
    inner_h_max = MAP_MAX_HEIGHT - 2 * (MAP_PAD + radius_room)
    scales = [s for s in (inner_w / span_x if span_x else None, inner_h_max / span_y if span_y else None) if s]
    scale = min(scales) if scales else 1.0
    map_h = (span_y * scale if span_y else 0) + 2 * (MAP_PAD + radius_room)
    map_h = max(map_h, 120)
    off_x = (WIDTH - span_x * scale) / 2
    off_y = (map_h - span_y * scale) / 2
    coords = [(off_x + (x - min(xs)) * scale, off_y + (yy - min(ys)) * scale) for x, yy in zip(xs, ys, strict=True)]
    r = _marker_radius(coords)

    bands = [band_for(p.get("percent")) for p in placed]
    order = sorted(range(len(placed)), key=lambda i: -_band_rank(bands[i]))  # lagging ones on top
    parts = [_tag("rect", x=0.5, y=0.5, width=WIDTH - 1, height=map_h - 1, fill="none", stroke=GRID, rx=6)]
    for i in order:
        point, band = placed[i], bands[i]
        x, yy = coords[i]
        href = _safe_href(point.get("href"))
        attrs = {"class": f"commune band-{band.key}", "data-code": point.get("code", "")}
        parts.append(_el("a" if href else "g", {"href": href, **attrs} if href else attrs,
                         _el("title", {}, _tooltip(point)), _marker(band, x, yy, r)))

    counts = {band.key: 0 for band in (*BANDS, NO_TARGET)}
    for p in points:
        counts[band_for(p.get("percent")).key] += 1
    row = 26
    ly = map_h + 14
    parts.append(_text(MAP_PAD, ly + FONT, _("Share of the target reached"), **{"font-weight": "bold"}))
    ly += row + 4
    for band in (*BANDS, NO_TARGET):
        parts.append(_el("g", {"class": f"legend band-{band.key}"},
                         _marker(band, MAP_PAD + 9, ly + FONT * 0.5 - 1, 7.5),
                         _text(MAP_PAD + 26, ly + FONT * 0.85, f"{band.label} ({counts[band.key]})")))
        ly += row
    height = ly + 6

    desc = _("Map of %(count)s communes by share of the target reached: %(classes)s.", count=len(points),
             classes="; ".join(f"{band.label}: {counts[band.key]}" for band in (*BANDS, NO_TARGET)))
    return _svg(uid, title, desc, height, parts, table)


def _band_rank(band: Band) -> int:
    return -1 if band is NO_TARGET else BANDS.index(band)


def _marker_radius(coords: list[tuple[float, float]]) -> float:
    """Half the typical gap to the nearest neighbour, between 4.5 and 10 units: many close communes
    get small markers that still barely overlap, a few far apart get large ones."""
    if len(coords) < 2:
        return 10.0
    nearest = sorted(
        min(math.dist(a, b) for j, b in enumerate(coords) if j != i) for i, a in enumerate(coords)
    )
    median = nearest[len(nearest) // 2]
    return max(4.5, min(10.0, median * 0.5))


def _marker(band: Band, x: float, y: float, r: float) -> str:
    """A filled shape of the band's colour with a dark outline (visible on white and in print)."""
    style = {"fill": band.colour, "stroke": INK, "stroke-width": 1.2}
    if band.shape == "circle":
        return _tag("circle", cx=x, cy=y, r=r, **style)
    if band.shape == "ring":
        return _tag("circle", cx=x, cy=y, r=r * 0.85, **{**style, "stroke": MUTED, "stroke-width": 2,
                                                         "stroke-dasharray": "2 1.5"})
    if band.shape == "square":
        s = r * 0.9
        return _tag("rect", x=x - s, y=y - s, width=2 * s, height=2 * s, **style)
    if band.shape == "diamond":
        d = r * 1.25
        return _tag("path", d=f"M{_n(x)} {_n(y - d)}L{_n(x + d)} {_n(y)}L{_n(x)} {_n(y + d)}L{_n(x - d)} {_n(y)}Z",
                    **style)
    c = r * 1.3  # triangles: circumradius, so their area is near the others'
    sign = -1 if band.shape == "triangle-up" else 1
    tip, base = y + sign * c, y - sign * c / 2
    half = c * math.sqrt(3) / 2
    return _tag("path", d=f"M{_n(x)} {_n(tip)}L{_n(x + half)} {_n(base)}L{_n(x - half)} {_n(base)}Z", **style)


def _format_percent(percent: float) -> str:
    return format_decimal(percent, "#,##0.#") + "\u00a0%"


def _tooltip(point: dict) -> str:
    percent = point.get("percent")
    if band_for(percent) is NO_TARGET:
        return _("%(name)s: no target", name=point.get("name", ""))
    return _("%(name)s: %(percent)s", name=point.get("name", ""), percent=_format_percent(percent))


def _map_table(points, *, title) -> Markup:
    rows = []
    for p in points:
        href = _safe_href(p.get("href"))
        name = p.get("name", "")
        percent = p.get("percent")
        figure = _("No target") if band_for(percent) is NO_TARGET else _format_percent(percent)
        rows.append(_row(_el("a", {"href": href}, name) if href else name, figure))
    return _table(title, _("Commune"), _("Share of the target reached"), rows)


def _safe_href(href: str | None) -> str | None:
    """Only web links: a javascript: URL from stored data must not become a link."""
    if not href or urlsplit(href).scheme.lower() not in ("", "http", "https"):
        return None
    return href


# -- shared ----------------------------------------------------------------------------------------

def _svg(uid: str, title: str, desc: str, height: float, body: list[Markup], table: Markup) -> Chart:
    chart = Chart(_el(
        "svg",
        {"xmlns": "http://www.w3.org/2000/svg", "class": "chart", "role": "img",
         "viewBox": f"0 0 {WIDTH} {_n(height)}", "width": "100%", "preserveAspectRatio": "xMidYMid meet",
         "style": "height:auto;max-width:100%;display:block",
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
