"""The commune map of a province's dashboard: each commune a marker at its coordinates, classed by
share of target (colour and shape), with a legend and the figures as a table (see svg.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from connector.reports.svg_parts import (
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
)


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
