"""Breakdowns by agent and by service point, the "service points with an onboarding" figure, the
weekly trend and the reports' problems page (issue 14)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from connector.db import utcnow
from connector.extensions import db
from connector.logistics.hours import DEFAULT_HOURS
from connector.logistics.models import ServicePoint
from connector.reports.jobs import recount
from connector.reports.summaries import refresh_all
from connector.reports.summary_tables import report_days
from tests.factories import HAI_LANG, make_household, make_user
from tests.reports.helpers import NAM_HAI_LANG, signed_in


def _point(code: str, name: str, commune: str) -> None:
    db.session.add(ServicePoint(code=code, name=name, kind="commune", commune_code=commune, lat=16.7, lon=107.2,
                                opening_hours=DEFAULT_HOURS, daily_capacity=30, address=""))


@pytest.fixture
def staff(db_session):
    """Agents Lan and Minh at Bưu điện Hải Lăng (point A), Hoa at Nam Hải Lăng (B), Tâm at C who onboarded
    only last year: 2 + 1 + 1 households this month, 1 long ago."""
    _point("A", "Bưu điện Hải Lăng", HAI_LANG)
    _point("B", "Bưu điện Nam Hải Lăng", NAM_HAI_LANG)
    _point("C", "Điểm đại lý Cũ", NAM_HAI_LANG)
    agents = {}
    for name, point in (("Lan", "A"), ("Minh", "A"), ("Hoa", "B"), ("Tâm", "C")):
        agents[name] = make_user("agent", province_code="44", full_name=f"Chị {name}")
        agents[name].service_point_code = point
    for letter in "XY":
        make_household(agents["Lan"], head_name=f"Hộ Của Lan {letter}")
    make_household(agents["Minh"], head_name="Hộ Của Minh")
    make_household(agents["Hoa"], commune_code=NAM_HAI_LANG, head_name="Hộ Của Hoa")
    old = make_household(agents["Tâm"], commune_code=NAM_HAI_LANG, head_name="Hộ Của Tâm")
    old.consent_at = utcnow() - timedelta(days=400)
    db.session.commit()
    refresh_all()
    db.session.commit()
    return agents


def _rows(page: str) -> dict[str, list[str]]:
    table = page.split('<table class="breakdown">')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        name = re.sub(r"<[^>]+>", "", row.split("</th>")[0]).strip()
        rows[name] = re.findall(r'<td class="num">([^<]*)</td>', row)
    return rows


def test_an_officer_breaks_the_province_down_by_agent_and_opens_their_households(app, staff):
    client, _user = signed_in(app, "officer")
    page = client.get("/reports?by=agent").get_data(as_text=True)
    rows = _rows(page)
    # onboarded, onboarded in the period, trained, live on both; fewest in the period first
    assert rows["Chị Lan"][:2] == ["2", "2"] and rows["Chị Minh"][:2] == ["1", "1"]
    assert rows["Chị Tâm"][:2] == ["1", "0"]
    assert list(rows).index("Chị Tâm") < list(rows).index("Chị Lan")
    link = re.search(r'href="(/households\?agent=\d+)">Chị Lan<', page).group(1)
    households = client.get(link).get_data(as_text=True)
    assert "Hộ Của Lan X" in households and "Hộ Của Lan Y" in households and "Hộ Của Minh" not in households


def test_by_service_point_and_the_points_that_onboarded_this_month(app, staff):
    client, _user = signed_in(app, "officer")
    page = client.get("/reports?by=point").get_data(as_text=True)
    rows = _rows(page)
    assert rows["Bưu điện Hải Lăng"][:2] == ["3", "3"] and rows["Điểm đại lý Cũ"][:2] == ["1", "0"]
    households = client.get("/households?point=A").get_data(as_text=True)
    assert "Hộ Của Minh" in households and "Hộ Của Hoa" not in households
    # Points A and B onboarded someone this month; C did not.
    figures = client.get("/reports").get_data(as_text=True)
    assert re.search(r"Điểm phục vụ có ít nhất một hộ lên sàn trong kỳ</th><td class=\"num\">2<", figures)
    rows_file = client.get("/reports/export.csv?by=agent").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(rows_file)))
    assert table[[row[1] for row in table].index("Chị Lan")][1:4] == ["Chị Lan", "2", "2"]


def test_another_provinces_officer_cannot_break_it_down(app, staff):
    client, _user = signed_in(app, "officer", province="01")
    assert client.get("/reports?by=agent&province=44").status_code == 404


def test_the_trend_week_by_week_ends_at_the_figure_of_the_period(app, staff):
    client, _user = signed_in(app, "officer")
    page = client.get("/reports?trend=week").get_data(as_text=True)
    assert "Theo tuần" in page
    chart_table = page.split("<svg")[1].split("</details>")[0]
    last = re.findall(r'<td class="num">([^<]+)</td>', chart_table)[-1]
    assert last == "5"  # every household onboarded by the end of this week, the old one included


def test_the_problems_page_shows_a_difference_to_its_own_province_only(app, staff):
    client, _user = signed_in(app, "officer")
    assert "Mọi thay đổi đã được tính" in client.get("/reports/problems").get_data(as_text=True)
    db.session.execute(update(report_days).where(report_days.c.commune_code == HAI_LANG).values(onboarded=7))
    assert recount() is False
    db.session.commit()
    page = client.get("/reports/problems").get_data(as_text=True)
    assert "Hộ đã lên sàn" in page and ">7<" in page
    other, _user = signed_in(app, "officer", province="01")
    assert ">7<" not in other.get("/reports/problems").get_data(as_text=True)


def test_text_that_looks_like_a_formula_is_written_as_text_in_every_file(app, staff):
    """Issue 15, finding 9: names starting with = + - @ must not become formulas in CSV or XLSX."""
    from openpyxl import load_workbook

    staff["Lan"].full_name = '=HYPERLINK("http://evil.example","Lan")'
    staff["Minh"].full_name = "@SUM(A1:A9)"
    db.session.commit()
    client, _user = signed_in(app, "officer")
    text = client.get("/reports/export.csv?by=agent").get_data(as_text=True).lstrip("\ufeff")
    names = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert "'=HYPERLINK(\"http://evil.example\",\"Lan\")" in names and "'@SUM(A1:A9)" in names
    sheet = load_workbook(io.BytesIO(client.get("/reports/export.xlsx?by=agent").data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and "SUM" in cell.value]
    assert cells and all(cell.data_type == "s" and cell.value.startswith("'") for cell in cells)
