"""The officer's dashboard, its breakdown and files, the monthly report and its API (issue 14):
scoped like everything else, the same numbers on the page and in the files, bad input answered."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from connector.clock import vietnam_today
from connector.extensions import db
from connector.reports.summaries import refresh_all
from tests.factories import HAI_LANG, bearer, make_household, make_token, make_user
from tests.reports.helpers import signed_in


def test_an_officer_sees_their_province_commune_by_commune_furthest_behind_first(app, province):
    client, _user = signed_in(app, "officer")
    page = client.get("/reports").get_data(as_text=True)
    assert "Tiến độ của Tỉnh Quảng Trị" in page and "Số liệu tính đến" in page
    # Hải Lăng: 3 of 6 = 50 %; Nam Hải Lăng: 1 of 4 = 25 %: Nam Hải Lăng comes first.
    table = page.split('<table class="breakdown">')[1]
    names = re.findall(r'<th scope="row"><a class="tap" href="[^"]+">([^<]+)</a>', table)
    assert names[:2] == ["Xã Nam Hải Lăng", "Xã Hải Lăng"]  # then the communes with no target yet
    assert "50 %" in table and "25 %" in table
    assert f"/households?commune_code={HAI_LANG}" in page  # the households behind the row
    assert "Hộ Hà Nội" not in page


def test_another_province_or_its_commune_is_not_found_for_an_officer(app, province):
    client, _user = signed_in(app, "officer")
    assert client.get("/reports?province=01").status_code == 404
    assert client.get("/reports?commune=00004").status_code == 404
    assert client.get("/reports.xlsx").status_code == 404
    assert client.get("/reports/export.xlsx?province=01").status_code == 404


@pytest.mark.parametrize("query", ["period=decade", "period=month&month=13", "period=range&from=2026-13-01&to=x",
                                   "period=range&from=2026-12-01&to=2026-11-01", "year=99999", "sort=<script>",
                                   "province=%00", "commune=" + "9" * 300])
def test_bad_filters_are_answered_not_crashed(app, province, query):
    client, _user = signed_in(app, "officer")
    assert client.get(f"/reports?{query}").status_code in (200, 400, 404)


def test_the_xlsx_holds_the_same_numbers_as_the_page(app, province):
    client, _user = signed_in(app, "officer")
    page = client.get("/reports").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").get_data()))
    sheet = book.active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["Xã Hải Lăng"][2] == 3 and rows["Xã Hải Lăng"][3] == 50.0
    assert rows["Xã Nam Hải Lăng"][2] == 1 and rows["Xã Nam Hải Lăng"][3] == 25.0
    assert "Số liệu tính đến" in sheet["A1"].value
    plain = load_workbook(io.BytesIO(client.get("/reports/export.xlsx?layout=rows").get_data())).active
    values = {(row[2], row[5]): row[7] for row in plain.iter_rows(min_row=3, values_only=True)}
    assert values[("Xã Hải Lăng", "onboarded")] == 3 and values[("Xã Nam Hải Lăng", "onboarded_vs_target")] == 25.0
    csv_text = client.get("/reports/export.csv").get_data().decode("utf-8-sig")
    assert re.search(r"Xã Hải Lăng,3,50\.0", csv_text)
    assert "3" in page


def test_the_monthly_report_is_one_signed_sheet_per_province(app, province):
    client, _user = signed_in(app, "officer")
    response = client.get("/reports/monthly.xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    text = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert text[0].startswith("BÁO CÁO KẾT QUẢ") and "Tỉnh Quảng Trị" in text
    assert "Toàn tỉnh" in text and "NGƯỜI LẬP BIỂU" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text


def test_a_national_viewer_pulls_the_monthly_report_as_json_and_an_officer_only_their_own(app, province):
    viewer = make_user("national", province_code=None)
    officer = make_user("officer", province_code="01")
    db.session.commit()
    today = vietnam_today()  # the report's days are Vietnam's
    query = f"province=44&from={today.replace(day=1).isoformat()}&to={today.isoformat()}"
    client = app.test_client()
    body = client.get(f"/api/v1/reports/onboarding?{query}", headers=bearer(make_token(viewer))).json
    assert body["province"]["code"] == "44" and body["totals"]["onboarded"] == 4
    rows = {row["commune"]: row for row in body["rows"]}
    assert rows["Xã Hải Lăng"]["onboarded"] == 3 and rows["Xã Hải Lăng"]["onboarded_vs_target"] == 50.0
    assert client.get(f"/api/v1/reports/onboarding?{query}", headers=bearer(make_token(officer))).status_code == 404
    assert client.get(f"/api/v1/reports/onboarding?{query}").status_code == 401
    bad = client.get("/api/v1/reports/onboarding?province=44&from=2026-02-30&to=x",
                     headers=bearer(make_token(viewer)))
    assert bad.status_code == 422 and "NNNN-TT-NN" in bad.json["message"] + str(bad.json.get("errors"))
    assert "/reports/onboarding" in client.get("/api/v1/openapi.json").get_data(as_text=True)


def test_the_national_dashboard_breaks_down_by_province(app, province):
    client, _user = signed_in(app, "national", province=None)
    page = client.get("/reports").get_data(as_text=True)
    assert "Tiến độ của mọi tỉnh" in page and "Tỉnh Quảng Trị" in page and "Thành phố Hà Nội" in page
    assert client.get("/households").status_code == 403  # reads figures, not households


def test_agents_do_not_see_the_dashboard(app, province):
    client, _user = signed_in(app, "agent")
    assert client.get("/reports").status_code == 403


def test_the_commonest_refusal_reasons_are_listed(app, province):
    from connector.catalogue.services import create_product
    from tests.factories import make_listing, product_input

    agent = make_user("agent", province_code="44")
    household = make_household(agent, head_name="Hộ Có Sản Phẩm")
    for name in ("Gạo", "Mật ong", "Tiêu"):
        product = create_product(agent, household.id, product_input(name=name))
        make_listing(product, "voso", state="rejected", reason="Ảnh sản phẩm bị mờ")
    make_listing(product, "postmart", state="rejected", reason="Thiếu giấy chứng nhận")
    db.session.commit()
    refresh_all()
    db.session.commit()
    client, _user = signed_in(app, "officer")
    page = client.get("/reports").get_data(as_text=True)
    assert page.index("VoSo: Ảnh sản phẩm bị mờ (3)") < page.index("PostMart: Thiếu giấy chứng nhận (1)")
