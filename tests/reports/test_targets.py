import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from connector.admin_units.models import Commune
from connector.audit.models import AuditEvent
from connector.reports.models import CommuneTarget
from connector.reports.targets import COLUMNS
from tests.factories import HAI_LANG, PASSWORD, bearer, make_token, make_user
from tests.helpers import csrf_token_from, login, post_multipart

HEADERS = [column.header for column in COLUMNS]
HA_NOI_COMMUNE = "00004"  # province 01


def csv_bytes(rows: list[list], headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list], headers=HEADERS) -> bytes:
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post_file(client, url, data: bytes, headers=None, filename="chi-tieu.csv", form=None):
    return post_multipart(client, url, form or {}, {"file": [(data, filename)]}, headers)


def target(db_session, code: str, year: int) -> CommuneTarget | None:
    return db_session.scalar(select(CommuneTarget).where(CommuneTarget.commune_code == code,
                                                         CommuneTarget.year == year))


def count(db_session) -> int:
    return db_session.scalar(select(func.count(CommuneTarget.id)))


@pytest.fixture
def admin(db_session):
    return make_user("admin")


@pytest.fixture
def admin_auth(admin):
    return bearer(make_token(admin))


def test_a_clean_file_imports_and_importing_again_updates(client, admin_auth, db_session):
    first = post_file(client, "/api/v1/reports/targets", csv_bytes([[HAI_LANG, 2026, 1200, 300],
                                                                    [HA_NOI_COMMUNE, 2026, 800, 100]]), admin_auth)
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["new"], first.get_json()["updated"]) == (2, 0)
    saved = target(db_session, HAI_LANG, 2026)
    assert (saved.agricultural_households, saved.onboarding_target) == (1200, 300)
    before = count(db_session)
    again = post_file(client, "/api/v1/reports/targets", csv_bytes([[HAI_LANG, 2026, "1.250", 400],
                                                                    [HA_NOI_COMMUNE, 2026, 800, 100]]), admin_auth)
    assert (again.get_json()["new"], again.get_json()["updated"], again.get_json()["unchanged"]) == (0, 1, 1)
    db_session.expire_all()
    assert (target(db_session, HAI_LANG, 2026).agricultural_households,
            target(db_session, HAI_LANG, 2026).onboarding_target) == (1250, 400)
    assert count(db_session) == before
    changes = db_session.scalars(select(AuditEvent.changes).where(
        AuditEvent.entity_type == "commune_target", AuditEvent.entity_id == saved.id)).all()
    assert {"agricultural_households": [1200, 1250], "onboarding_target": [300, 400]} in changes


def test_english_and_ascii_headers_are_accepted(client, admin_auth, db_session):
    data = csv_bytes([[HAI_LANG, 2027, 500, 50]], headers=["commune_code", "year", "agricultural_households",
                                                          "onboarding_target"])
    assert post_file(client, "/api/v1/reports/targets", data, admin_auth).status_code == 200
    data = csv_bytes([[HAI_LANG, 2028, 500, 60]], headers=["ma_xa", "nam", "so_ho_nong_nghiep", "chi_tieu"])
    assert post_file(client, "/api/v1/reports/targets", data, admin_auth).status_code == 200
    assert target(db_session, HAI_LANG, 2028).onboarding_target == 60


def test_xlsx_imports_too_with_numbers_as_excel_stores_them(client, admin_auth, db_session):
    data = xlsx_bytes([[int(HA_NOI_COMMUNE), 2026, 900.0, 90]])  # Excel drops the leading zeros
    response = post_file(client, "/api/v1/reports/targets", data, admin_auth, "chi-tieu.xlsx")
    assert response.status_code == 200, response.get_json()
    assert target(db_session, HA_NOI_COMMUNE, 2026).agricultural_households == 900


def test_every_bad_row_is_reported_in_vietnamese_and_nothing_is_written(client, admin_auth, db_session):
    rows = [[HAI_LANG, 2026, 1000, 100],  # good, but the file has errors: not written either
            ["99999", 2019, "-5", "1,5"],
            [HAI_LANG, 2026, 100, 200],
            [HA_NOI_COMMUNE, "", "nhiều", ""]]
    before = count(db_session)
    response = post_file(client, "/api/v1/reports/targets", csv_bytes(rows), admin_auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["rows"]
    expected = [
        {"row": 3, "column": "Mã xã", "message": "Mã xã không tồn tại: 99999."},
        {"row": 3, "column": "Năm", "message": "Nhập năm từ 2020 đến 2035."},
        {"row": 3, "column": "Số hộ nông nghiệp", "message": "Số không được âm."},
        {"row": 3, "column": "Chỉ tiêu", "message": "Nhập số nguyên, ví dụ 1200."},
        {"row": 4, "column": "Chỉ tiêu", "message": "Chỉ tiêu không được lớn hơn số hộ nông nghiệp."},
        {"row": 4, "column": "Mã xã", "message": "Trùng xã và năm với dòng 2."},
        {"row": 5, "column": "Năm", "message": "Nhập năm từ 2020 đến 2035."},
        {"row": 5, "column": "Số hộ nông nghiệp", "message": "Nhập số nguyên, ví dụ 1200."},
        {"row": 5, "column": "Chỉ tiêu", "message": "Nhập một số."},
    ]
    for error in expected:
        assert error in errors, errors
    assert len(errors) == len(expected)
    assert count(db_session) == before
    assert target(db_session, HAI_LANG, 2026) is None


def test_a_missing_column_is_named(client, admin_auth):
    response = post_file(client, "/api/v1/reports/targets", csv_bytes([[HAI_LANG, 2026, 10]], HEADERS[:3]),
                         admin_auth)
    assert response.get_json()["errors"]["rows"] == [{"row": 1, "column": "Chỉ tiêu", "message": "Thiếu cột này."}]


def test_dry_run_writes_nothing(client, admin_auth, db_session):
    report = post_file(client, "/api/v1/reports/targets?dry_run=1", csv_bytes([[HAI_LANG, 2026, 10, 1]]),
                       admin_auth).get_json()
    assert (report["rows"], report["new"]) == (1, 1)
    assert target(db_session, HAI_LANG, 2026) is None


@pytest.mark.parametrize("role", ["agent", "officer", "national"])
def test_only_admins_import(client, db_session, role):
    user = make_user(role, province_code=None if role == "national" else "44")
    response = post_file(client, "/api/v1/reports/targets", csv_bytes([[HAI_LANG, 2026, 10, 1]]),
                         bearer(make_token(user)))
    assert response.status_code == 403
    assert target(db_session, HAI_LANG, 2026) is None
    login(client, user.username, PASSWORD)
    assert client.get("/reports/targets/import").status_code == 403
    assert client.get("/reports/targets/template.csv").status_code == 403


def test_the_import_page_checks_then_imports(client, admin, db_session):
    login(client, admin.username, PASSWORD)
    token = csrf_token_from(client.get("/reports/targets/import").get_data(as_text=True))
    data = csv_bytes([[HAI_LANG, 2026, 1200, 300]])
    checked = post_file(client, "/reports/targets/import", data, form={"csrf_token": token, "action": "check"})
    assert checked.status_code == 200 and "1 dòng: 1 mới, 0 thay đổi, 0 không đổi." in checked.get_data(as_text=True)
    assert target(db_session, HAI_LANG, 2026) is None
    done = post_file(client, "/reports/targets/import", data, form={"csrf_token": token, "action": "import"})
    assert done.status_code == 302
    assert target(db_session, HAI_LANG, 2026).onboarding_target == 300
    bad = post_file(client, "/reports/targets/import", csv_bytes([[HAI_LANG, 2026, 10, 20]]),
                    form={"csrf_token": token, "action": "import"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Chỉ tiêu không được lớn hơn số hộ nông nghiệp." in html
    db_session.expire_all()
    assert target(db_session, HAI_LANG, 2026).onboarding_target == 300


def test_templates_have_the_vietnamese_headers(client, admin):
    login(client, admin.username, PASSWORD)
    response = client.get("/reports/targets/template.csv")
    assert "mau-chi-tieu.csv" in response.headers["Content-Disposition"]
    assert response.data.decode("utf-8-sig").splitlines()[0].split(",") == HEADERS
    workbook = load_workbook(io.BytesIO(client.get("/reports/targets/template.xlsx").data))
    assert [cell.value for cell in workbook.active[1]] == HEADERS


# -- officers adjust their province's targets --------------------------------------------------------

def adjust(client, year: int, fields: dict, province: str | None = None):
    page = client.get(f"/reports/targets?year={year}" + (f"&province={province}" if province else ""))
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **fields}
    url = f"/reports/targets?year={year}" + (f"&province={province}" if province else "")
    return client.post(url, data=data)


def test_an_officer_sees_and_adjusts_their_provinces_communes(client, db_session):
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    page = client.get("/reports/targets?year=2026").get_data(as_text=True)
    assert "Xã Hải Lăng" in page and f'name="target-{HAI_LANG}"' in page
    assert f'name="target-{HA_NOI_COMMUNE}"' not in page
    response = adjust(client, 2026, {f"agricultural-{HAI_LANG}": "1.500", f"target-{HAI_LANG}": "450"})
    assert response.status_code == 302
    saved = target(db_session, HAI_LANG, 2026)
    assert (saved.agricultural_households, saved.onboarding_target, saved.updated_by_id) == (1500, 450, officer.id)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "commune_target",
                                                       AuditEvent.entity_id == saved.id))
    assert (event.actor_id, event.changes["onboarding_target"]) == (officer.id, [None, 450])
    assert 'value="450"' in client.get("/reports/targets?year=2026").get_data(as_text=True)


def test_one_bad_row_saves_nothing_and_says_why_in_vietnamese(client, db_session):
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    assert adjust(client, 2026, {f"agricultural-{HAI_LANG}": "100", f"target-{HAI_LANG}": "10"}).status_code == 302
    other = db_session.scalar(select(Commune.code).where(Commune.province_code == "44", Commune.code != HAI_LANG))
    response = adjust(client, 2026, {f"agricultural-{HAI_LANG}": "200", f"target-{HAI_LANG}": "20",
                                     f"agricultural-{other}": "50", f"target-{other}": "60"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chỉ tiêu không được lớn hơn số hộ nông nghiệp." in html
    assert "Có số không hợp lệ: chưa lưu gì." in html
    assert 'value="200"' in html  # what was typed stays in the form
    db_session.expire_all()
    assert target(db_session, HAI_LANG, 2026).agricultural_households == 100
    assert target(db_session, other, 2026) is None


def test_an_officer_posting_another_provinces_commune_gets_404(client, db_session):
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    response = adjust(client, 2026, {f"agricultural-{HA_NOI_COMMUNE}": "100", f"target-{HA_NOI_COMMUNE}": "10"})
    assert response.status_code == 404
    assert client.get("/reports/targets?province=01").status_code == 404
    assert target(db_session, HA_NOI_COMMUNE, 2026) is None


def test_an_admin_chooses_the_province(client, admin, db_session):
    login(client, admin.username, PASSWORD)
    assert 'name="province"' in client.get("/reports/targets").get_data(as_text=True)
    response = adjust(client, 2027, {f"agricultural-{HA_NOI_COMMUNE}": "80", f"target-{HA_NOI_COMMUNE}": "8"},
                      province="01")
    assert response.status_code == 302
    assert target(db_session, HA_NOI_COMMUNE, 2027).onboarding_target == 8


@pytest.mark.parametrize("role", ["national", "agent"])
def test_national_viewers_and_agents_cannot_adjust(client, db_session, role):
    user = make_user(role, province_code=None if role == "national" else "44")
    login(client, user.username, PASSWORD)
    assert client.get("/reports/targets").status_code == 403
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/reports/targets?year=2026&province=44",
                           data={"csrf_token": token, f"agricultural-{HAI_LANG}": "10", f"target-{HAI_LANG}": "1"})
    assert response.status_code == 403
    assert target(db_session, HAI_LANG, 2026) is None
