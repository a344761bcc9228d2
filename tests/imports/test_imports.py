import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, text

from connector.catalogue.models import Product
from connector.households.models import Household
from connector.imports.households import COLUMNS
from tests.factories import PASSWORD, bearer, make_household, make_token, make_user
from tests.helpers import csrf_token_from, login, post_multipart

HEADERS = [column.header for column in COLUMNS]


def letters(number: int) -> str:
    """1 -> "Ba", 2 -> "Be" ...: distinct names made of letters only."""
    syllables = ["Ba", "Be", "Bi", "Bo", "Bu", "Ca", "Co", "Cu", "Da", "Do"]
    return " ".join(syllables[int(digit)] for digit in str(number))


def household_row(number: int, **overrides) -> dict:
    row = {header: "" for header in HEADERS}
    row.update({"Họ tên chủ hộ": f"Nguyễn Văn {letters(number)}",
                "Số điện thoại": f"0913 {number:06d}", "Mã xã": "19702", "Thôn/ấp/bản": "Thôn Một",
                "Đã đồng ý": "có"})
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], headers=HEADERS, bom=True, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    # Windows-1258 lacks some precomposed letters; what it can encode is enough to break UTF-8.
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding, errors="replace")


def xlsx_bytes(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row[header] for header in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post_file(client, url, data: bytes, headers=None, filename="ho.csv", form=None):
    return post_multipart(client, url, form or {}, {"file": [(data, filename)]}, headers)




def households(db_session) -> int:
    return db_session.scalar(select(func.count(Household.id)))


@pytest.mark.parametrize("bom", [True, False])
def test_clean_csv_imports_every_row_and_again_adds_nothing(client, auth, db_session, bom):
    data = csv_bytes([household_row(n) for n in range(1, 4)], bom=bom)
    before = households(db_session)
    first = post_file(client, "/api/v1/imports/households", data, auth)
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["imported"], households(db_session)) == (3, before + 3)
    again = post_file(client, "/api/v1/imports/households", data, auth).get_json()
    assert (again["imported"], again["unchanged"], households(db_session)) == (0, 3, before + 3)


def test_xlsx_imports_too(client, auth, db_session):
    before = households(db_session)
    response = post_file(client, "/api/v1/imports/households", xlsx_bytes([household_row(7)]), auth, "ho.xlsx")
    assert response.get_json()["imported"] == 1
    assert households(db_session) == before + 1


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_column_and_problem(client, auth, db_session):
    rows = [household_row(1), household_row(2, **{"Số điện thoại": "12345"}), household_row(3, **{"Mã xã": "99999"})]
    before = households(db_session)
    response = post_file(client, "/api/v1/imports/households", csv_bytes(rows), auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["rows"]
    assert {"row": 3, "column": "Số điện thoại",
            "message": "Số điện thoại không hợp lệ (10 chữ số, ví dụ 0912 345 678)."} in errors
    assert {"row": 4, "column": "Mã xã", "message": "Mã xã không tồn tại: 99999."} in errors
    assert households(db_session) == before


def test_dry_run_reports_without_writing(client, auth, db_session):
    before = households(db_session)
    report = post_file(client, "/api/v1/imports/households?dry_run=1", csv_bytes([household_row(1)]), auth).get_json()
    assert (report["rows"], report["new"], report["imported"]) == (1, 1, 0)
    assert households(db_session) == before


@pytest.mark.parametrize(
    ("data", "column", "message"),
    [
        (csv_bytes([household_row(1)], headers=["Tên", *HEADERS[1:]]), "Tên",
         "Cột không đúng mẫu. Hãy dùng tiêu đề của tệp mẫu."),
        (csv_bytes([household_row(1)], headers=[h for h in HEADERS if h != "Số điện thoại"]), "Số điện thoại",
         "Thiếu cột này."),
        (csv_bytes([household_row(1, **{"Họ tên chủ hộ": "Đào Văn An"})], bom=False, encoding="cp1258"), "",
         "Tệp không phải UTF-8"),
        (csv_bytes([household_row(1), household_row(1)]), "Số điện thoại", "Trùng số điện thoại với dòng 2."),
        (csv_bytes([household_row(1, **{"Đã đồng ý": "có lẽ"})]), "Đã đồng ý", "Ghi \"có\" hoặc \"không\"."),
        (b"", "", "Tệp trống."),
    ],
)
def test_bad_files_are_explained_in_vietnamese(client, auth, db_session, data, column, message):
    before = households(db_session)
    response = post_file(client, "/api/v1/imports/households", data, auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["rows"]
    assert any(e["column"] == column and e["message"].startswith(message) for e in errors), errors
    assert households(db_session) == before


def test_rows_outside_the_agents_area_are_refused(client, auth):
    response = post_file(client, "/api/v1/imports/households", csv_bytes([household_row(1, **{"Mã xã": "00004"})]),
                         auth)
    assert response.get_json()["errors"]["rows"][0]["message"] == "Xã này không thuộc địa bàn của bạn."


def test_products_import_links_households_by_phone(client, auth, agent, db_session):
    household = make_household(agent, phone="0914 222 333")
    from connector.imports.products import COLUMNS as PRODUCT_COLUMNS

    headers = [c.header for c in PRODUCT_COLUMNS]
    row = {h: "" for h in headers}
    row.update({"SĐT chủ hộ": "0914222333", "Tên sản phẩm": "Tiêu đen", "Danh mục": "Gia vị, hồ tiêu",
                "Đơn vị": "kg", "Giá (đồng)": "180.000", "Khối lượng (g)": "1000"})
    data = csv_bytes([row], headers=headers)
    report = post_file(client, "/api/v1/imports/products", data, auth).get_json()
    assert report["imported"] == 1
    product = db_session.scalar(select(Product).where(Product.household_id == household.id))
    assert (product.name, product.price_vnd, product.category, product.status) == ("Tiêu đen", 180000, "spices",
                                                                                   "draft")
    assert post_file(client, "/api/v1/imports/products", data, auth).get_json()["unchanged"] == 1
    row["SĐT chủ hộ"] = "0999 999 999"
    unknown = post_file(client, "/api/v1/imports/products", csv_bytes([row], headers=headers), auth)
    assert unknown.get_json()["errors"]["rows"][0]["column"] == "SĐT chủ hộ"


def test_templates_have_vietnamese_headers(app, client, agent):
    login(client, agent.username, PASSWORD)
    csv_template = client.get("/imports/households/template.csv")
    assert csv_template.data.startswith("\ufeff".encode())
    assert csv_template.data.decode("utf-8-sig").splitlines()[0].split(",") == HEADERS
    workbook = load_workbook(io.BytesIO(client.get("/imports/households/template.xlsx").data))
    assert [cell.value for cell in workbook.active[1]] == HEADERS


def test_the_page_previews_then_imports_on_confirmation(client, agent, db_session):
    login(client, agent.username, PASSWORD)
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    before = households(db_session)
    preview = post_file(client, "/imports/households/preview", csv_bytes([household_row(41), household_row(42)]),
                        form={"csrf_token": token})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 dòng: 2 mới, 0 đã nhập trước đó." in html
    assert households(db_session) == before
    upload_token = html.split('name="token" value="')[1].split('"')[0]
    done = client.post("/imports/households/run", data={"csrf_token": token, "token": upload_token})
    assert done.status_code == 302
    assert households(db_session) == before + 2


def test_the_page_shows_row_errors(client, agent):
    login(client, agent.username, PASSWORD)
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    preview = post_file(client, "/imports/households/preview",
                        csv_bytes([household_row(1, **{"Họ tên chủ hộ": ""})]), form={"csrf_token": token})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "Họ tên chủ hộ" in html and "Vui lòng nhập họ tên." in html and 'name="token"' not in html


def test_officers_cannot_import(client):
    officer = bearer(make_token(make_user("officer")))
    assert post_file(client, "/api/v1/imports/households", csv_bytes([household_row(1)]), officer).status_code == 403


def product_headers() -> list[str]:
    from connector.imports.products import COLUMNS as PRODUCT_COLUMNS

    return [column.header for column in PRODUCT_COLUMNS]


def test_every_problem_of_every_row_is_reported_at_once(client, agent):
    login(client, agent.username, PASSWORD)
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    rows = [household_row(1, **{"Số điện thoại": "12345", "Mã xã": "99999"}),
            household_row(2, **{"Họ tên chủ hộ": "", "Đã đồng ý": "chưa"})]
    html = post_file(client, "/imports/households/preview", csv_bytes(rows),
                     form={"csrf_token": token}).get_data(as_text=True)
    assert "4 lỗi" in html
    assert "Số điện thoại" in html and "Mã xã không tồn tại: 99999." in html  # row 2: the phone and the commune
    assert "Vui lòng nhập họ tên." in html and "Ghi &#34;có&#34; hoặc &#34;không&#34;." in html  # row 3

    headers = product_headers()
    row = {header: "" for header in headers}
    row.update({"SĐT chủ hộ": "0999 999 999", "Tên sản phẩm": "Tiêu đen", "Danh mục": "Gia vị, hồ tiêu",
                "Đơn vị": "kg", "Giá (đồng)": "-5", "Khối lượng (g)": "1000"})
    html = post_file(client, "/imports/products/preview", csv_bytes([row], headers=headers),
                     form={"csrf_token": token}).get_data(as_text=True)
    assert "2 lỗi" in html and "Không có hộ nào trong địa bàn của bạn có số điện thoại này." in html
    assert "Nhập giá bằng đồng, ví dụ 150000 hoặc 150.000." in html  # one message, not one row per letter


def test_the_result_comes_before_the_upload_forms(client, agent):
    """On a phone the agent sees what the check found without scrolling past both forms."""
    login(client, agent.username, PASSWORD)
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    html = post_file(client, "/imports/households/preview", csv_bytes([household_row(1, **{"Họ tên chủ hộ": ""})]),
                     form={"csrf_token": token}).get_data(as_text=True)
    assert html.index('id="report"') < html.index('action="/imports/households/preview')


@pytest.mark.parametrize(("url", "filename", "sheet"), [
    ("/imports/households/template.csv", "mau-ho.csv", None),
    ("/imports/households/template.xlsx", "mau-ho.xlsx", "Hộ gia đình"),
    ("/imports/products/template.csv", "mau-san-pham.csv", None),
    ("/imports/products/template.xlsx", "mau-san-pham.xlsx", "Sản phẩm"),
])
def test_templates_are_named_in_vietnamese(client, agent, url, filename, sheet):
    login(client, agent.username, PASSWORD)
    response = client.get(url)
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"
    if sheet:
        assert load_workbook(io.BytesIO(response.data)).active.title == sheet


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_the_product_template_imports_as_it_is_downloaded(client, agent, ext):
    make_household(agent, phone="0912 345 678")
    login(client, agent.username, PASSWORD)
    template = client.get(f"/imports/products/template.{ext}").data
    if ext == "csv":
        example = template.decode("utf-8-sig").splitlines()[1]
    else:
        example = ",".join(str(cell.value or "") for cell in load_workbook(io.BytesIO(template)).active[2])
    assert "Gạo, ngũ cốc" in example and "rice_grain" not in example
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    preview = post_file(client, "/imports/products/preview", template, form={"csrf_token": token},
                        filename=f"mau-san-pham.{ext}")
    assert preview.status_code == 200 and "1 dòng: 1 mới" in preview.get_data(as_text=True)


def test_a_large_import_leaves_fresh_statistics_behind(client, db_session):
    """Issue 15: a server with autovacuum off planned the household list from an empty table's
    statistics after a large import. PostgreSQL only: SQLite plans without such statistics."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    from connector.imports.services import run_import

    agent = make_user("agent")
    report = run_import(agent, "households", csv_bytes([household_row(n) for n in range(1, 601)]))
    assert report.imported == 600
    estimated = db_session.scalar(text(
        "SELECT reltuples FROM pg_class WHERE relname = 'households' AND "
        "relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"))
    assert estimated >= 600
