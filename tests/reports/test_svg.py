"""The dashboards' SVG charts: valid, accessible, Vietnamese figures, escaped names, honest classes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from connector.reports.svg import BANDS, NO_TARGET, band_for, commune_map, nice_ticks, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [("T1/2026", 120), ("T2/2026", 480), ("T3/2026", 1250), ("T4/2026", 1620)]


@pytest.fixture
def ctx(app):
    with app.app_context():  # no request: the default locale, Vietnamese
        yield


def parse(markup) -> ET.Element:
    """Parsed as XML: the charts are inline SVG, which must be well-formed (and it is our own output)."""
    return ET.fromstring(str(markup))  # noqa: S314


def texts(root: ET.Element, cls: str | None = None) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if cls is None or t.get("class") == cls]


def commune(code, lat, lon, percent=100.0, name=None, href=None):
    return {"code": code, "name": name or f"Xã {code}", "lat": lat, "lon": lon, "percent": percent, "href": href}


def marker_centre(root: ET.Element, code: str) -> tuple[float, float]:
    group = next(e for e in root.iter() if e.get("data-code") == code)
    circle = group.find(f"{SVG}circle")  # 100 % and more: a circle
    return float(circle.get("cx")), float(circle.get("cy"))


def test_trend_chart_is_an_accessible_image_in_vietnamese(ctx):
    root = parse(trend_chart(MONTHS, title="Hộ lên sàn theo tháng", unit="hộ"))

    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 360 ")
    assert root.get("width") == "100%"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Hộ lên sàn theo tháng"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert "Biểu đồ cột 4 kỳ, từ T1/2026 đến T4/2026" in desc.text
    assert "1.620\u00a0hộ" in desc.text
    assert [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")][-1] == "T4/2026: 1.620\u00a0hộ"
    assert int(root.get("font-size")) >= 15  # ≥ 12 px once the chart is shrunk to a 296 px phone card


def test_ticks_are_round_and_written_the_vietnamese_way(ctx):
    root = parse(trend_chart(MONTHS, title="Hộ"))

    assert texts(root, "tick") == ["0", "500", "1.000", "1.500", "2.000"]
    assert nice_ticks(0, 7, integer=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 2, integer=True) == [0, 1, 2]  # never half a household
    assert nice_ticks(0, 0.3) == [0, 0.1, 0.2, 0.3]
    assert nice_ticks(0, 0, integer=True) == [0, 1]  # an all-zero series still has an axis
    assert nice_ticks(0, 86_400) == [0, 20_000, 40_000, 60_000, 80_000, 100_000]


def test_target_line_and_its_label_only_when_a_target_is_given(ctx):
    with_target = parse(trend_chart(MONTHS, title="Hộ", target=1500, unit="hộ"))
    without = parse(trend_chart(MONTHS, title="Hộ"))

    lines = [e for e in with_target.iter(f"{SVG}line") if e.get("class") == "target"]
    assert len(lines) == 1 and lines[0].get("stroke-dasharray")  # dashed: visible in black and white
    assert texts(with_target, "target-label") == ["Chỉ tiêu: 1.500\u00a0hộ"]
    tick_y = {t.text: float(t.get("y")) for t in with_target.iter(f"{SVG}text") if t.get("class") == "tick"}
    assert abs(float(lines[0].get("y1")) - (tick_y["1.500"] - 15 * 0.35)) < 0.2  # drawn at 1.500
    assert not [e for e in without.iter(f"{SVG}line") if e.get("class") == "target"]
    assert not texts(without, "target-label")


def test_a_target_above_every_value_still_fits_on_the_axis(ctx):
    root = parse(trend_chart([("Tuần 1", 3), ("Tuần 2", 5)], title="Đơn", target=40))

    assert texts(root, "tick")[-1] == "40"


def test_an_empty_series_says_there_is_no_data_yet(ctx):
    chart = trend_chart([], title="Đơn hàng")
    root = parse(chart)

    assert texts(root) == ["Chưa có số liệu"]
    assert root.find(f"{SVG}desc").text == "Chưa có số liệu"
    assert "Chưa có số liệu" in chart.table


def test_the_data_table_carries_every_figure(ctx):
    chart = trend_chart(MONTHS, title="Hộ <mới>", target=1500, unit="hộ")
    table = parse(chart.table)

    assert table.find("caption").text == "Hộ <mới>"  # escaped in the markup, intact once parsed
    assert [th.text for th in table.iter("th") if th.get("scope") == "col"] == ["Kỳ báo cáo", "Giá trị (hộ)"]
    rows = [[c.text for c in tr] for tr in table.find("tbody")]
    assert rows[-1] == ["T4/2026", "1.620"]
    assert [c.text for c in table.find("tfoot/tr")] == ["Chỉ tiêu", "1.500"]


def test_many_weeks_keep_the_latest_label_and_fewer_others(ctx):
    weeks = [(f"Tuần {w}", w) for w in range(1, 53)]
    root = parse(trend_chart(weeks, title="Đơn"))

    labels = [t for t in texts(root) if t.startswith("Tuần")]
    assert labels[-1] == "Tuần 52"
    assert 6 <= len(labels) <= 20
    assert len([r for r in root.iter(f"{SVG}rect")]) == 52


def test_map_puts_north_up_and_east_right(ctx):
    points = [commune("north", 17.2, 107.0), commune("south", 16.4, 107.0), commune("east", 16.8, 107.3),
              commune("west", 16.8, 106.6)]
    root = parse(commune_map(points, title="Quảng Trị"))

    assert marker_centre(root, "north")[1] < marker_centre(root, "south")[1]
    assert marker_centre(root, "east")[0] > marker_centre(root, "west")[0]
    width = float(root.get("viewBox").split()[2])
    xs = [marker_centre(root, code)[0] for code in ("east", "west")]
    assert min(xs) > 0 and max(xs) < width  # fitted inside, with padding


def test_map_scales_longitude_by_the_cosine_of_latitude(ctx):
    # One degree east and one degree north of a point at 60° N: east spans half the distance.
    root = parse(commune_map([commune("o", 60, 10), commune("e", 60, 11), commune("n", 61, 10)], title="x"))

    (ox, oy), (ex, _), (_, ny) = (marker_centre(root, c) for c in ("o", "e", "n"))
    assert abs((ex - ox) / (oy - ny) - 0.5) < 0.02


def test_legend_lists_every_class_with_its_count(ctx):
    points = [commune("a", 16.5, 107, 10), commune("b", 16.6, 107.1, 130), commune("c", 16.7, 107.2, None)]
    root = parse(commune_map(points, title="Bản đồ"))

    legend = {g.get("class").split()[1]: "".join(g.itertext()) for g in root.iter(f"{SVG}g")
              if "legend" in (g.get("class") or "")}
    assert legend == {
        "band-lt25": "Dưới 25 % (1)", "band-lt50": "25 đến dưới 50 % (0)", "band-lt75": "50 đến dưới 75 % (0)",
        "band-lt100": "75 đến dưới 100 % (0)", "band-reached": "Đạt từ 100 % (1)",
        "band-none": "Không có chỉ tiêu (1)",
    }
    # Each class has its own marker shape too, for print and colour-blind readers.
    assert len({band.shape for band in (*BANDS, NO_TARGET)}) == len(BANDS) + 1


@pytest.mark.parametrize(("percent", "key"), [
    (0, "lt25"), (24.9, "lt25"), (25, "lt50"), (49.99, "lt50"), (50, "lt75"), (75, "lt100"),
    (99.9, "lt100"), (100, "reached"), (250, "reached"), (None, "none"), (float("nan"), "none"),
])
def test_classes_at_their_boundaries(ctx, percent, key):
    assert band_for(percent).key == key
    root = parse(commune_map([commune("x", 16.5, 107, percent)], title="Bản đồ"))
    group = next(e for e in root.iter() if e.get("data-code") == "x")
    assert group.get("class") == f"commune band-{key}"
    shape = next(child for child in group if child.tag != f"{SVG}title")
    assert shape.get("fill") == band_for(percent).colour


def test_dots_link_to_the_commune_and_say_its_share(ctx):
    points = [commune("19642", 16.7, 107.1, 42, name="Xã Hải Lăng", href="/reports/communes/19642"),
              commune("19645", 16.6, 107.2, None, name="Xã Nam Hải Lăng")]
    chart = commune_map(points, title="Bản đồ")
    root = parse(chart)

    link = next(root.iter(f"{SVG}a"))
    assert link.get("href") == "/reports/communes/19642"
    assert link.find(f"{SVG}title").text == "Xã Hải Lăng: 42\u00a0%"
    plain = next(e for e in root.iter(f"{SVG}g") if e.get("data-code") == "19645")
    assert plain.find(f"{SVG}title").text == "Xã Nam Hải Lăng: không có chỉ tiêu"
    table = parse(chart.table)
    assert [["".join(c.itertext()) for c in tr] for tr in table.find("tbody")] == [
        ["Xã Hải Lăng", "42\u00a0%"], ["Xã Nam Hải Lăng", "Không có chỉ tiêu"]]
    assert table.find("tbody/tr/th/a").get("href") == "/reports/communes/19642"


def test_names_from_data_are_escaped(ctx):
    evil = '<script>alert(1)</script>"&'
    chart = commune_map([commune("1", 16.5, 107, 50, name=evil, href='javascript:alert(1)')], title=evil)
    trend = trend_chart([(evil, 3)], title=evil, unit=evil)

    for markup in (chart, chart.table, trend, trend.table):
        assert "<script" not in markup and "&lt;script&gt;" in markup
        parse(markup)  # still well-formed
    assert parse(chart).find(f"{SVG}title").text == evil
    assert "javascript:" not in chart and "javascript:" not in chart.table  # no link at all


def test_marker_size_adapts_to_density(ctx):
    grid = [commune(f"{i}-{j}", 16 + i * 0.05, 106.5 + j * 0.05) for i in range(20) for j in range(20)]
    few = [commune(str(i), 16 + i * 0.3, 106.5 + i * 0.3) for i in range(4)]

    def radius(points):
        return float(parse(commune_map(points, title="x")).find(f".//{SVG}g[@data-code]/{SVG}circle").get("r"))

    assert radius(grid) < radius(few)
    assert radius(grid) >= 4.5  # still a visible dot with 400 communes


def test_a_map_without_located_communes_says_there_is_no_data_yet(ctx):
    root = parse(commune_map([], title="Bản đồ"))

    assert texts(root) == ["Chưa có số liệu"]


def test_chart_markup_renders_as_is_in_jinja(app, ctx):
    chart = trend_chart(MONTHS, title="Hộ")
    html = app.jinja_env.from_string("{{ chart }}{{ chart.table }}").render(chart=chart)

    assert html == str(chart) + str(chart.table)
    assert re.search(r"<svg [^>]*role=\"img\"", html)
