import unicodedata

import pytest
from sqlalchemy import func, select

from connector.admin_units.models import Commune, Province
from connector.admin_units.services import sync_admin_units
from tests.factories import bearer, make_token, make_user


@pytest.fixture
def auth(db_session):
    return bearer(make_token(make_user("agent")))


def test_all_34_provinces_and_3321_communes_are_loaded(db_session):
    assert db_session.scalar(select(func.count()).select_from(Province)) == 34
    assert db_session.scalar(select(func.count()).select_from(Commune)) == 3321


def test_loading_again_changes_nothing(db_session):
    assert sync_admin_units() == {"provinces": 34, "communes": 3321}
    assert db_session.scalar(select(func.count()).select_from(Commune)) == 3321


def test_provinces_endpoint_lists_official_2025_codes(client, auth):
    provinces = {p["code"]: p for p in client.get("/api/v1/admin-units/provinces", headers=auth).get_json()}
    assert len(provinces) == 34
    # Checked against the official list; see docs/admin-units-verification.md.
    assert provinces["01"]["name"] == "Thành phố Hà Nội"
    assert provinces["44"]["name"] == "Tỉnh Quảng Trị"
    assert provinces["79"]["name"] == "Thành phố Hồ Chí Minh"
    assert provinces["92"]["short_name"] == "Cần Thơ"
    assert provinces["68"]["short_name"] == "Lâm Đồng"
    assert provinces["91"]["short_name"] == "An Giang"


def test_communes_of_a_province(client, auth):
    communes = client.get("/api/v1/admin-units/provinces/44/communes", headers=auth).get_json()
    assert len(communes) == 78
    hai_lang = next(c for c in communes if c["code"] == "19702")
    assert hai_lang["name"] == "Xã Hải Lăng" and hai_lang["unit_type"] == "Xã"
    assert 16 < hai_lang["lat"] < 17.5 and 106.5 < hai_lang["lon"] < 107.5


def test_unknown_province_code_gets_422_naming_the_field(client, auth):
    response = client.get("/api/v1/admin-units/provinces/99/communes", headers=auth)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"province_code": ["Mã tỉnh không tồn tại: 99."]}


@pytest.mark.parametrize("query", ["Hải Lăng", "hai lang", "HAI LANG", unicodedata.normalize("NFD", "Hải Lăng")])
def test_search_ignores_diacritics_case_and_keyboard_normal_form(client, auth, query):
    found = client.get("/api/v1/admin-units/communes", query_string={"q": query}, headers=auth).get_json()
    assert found[0]["code"] == "19702"  # the exact name first, before "Nam Hải Lăng"
    assert "19735" in [c["code"] for c in found]


def test_search_within_a_province(client, auth):
    found = client.get("/api/v1/admin-units/communes", query_string={"q": "ba dinh", "province": "01"},
                       headers=auth).get_json()
    assert found and all(c["province_code"] == "01" for c in found)
    assert found[0]["code"] == "00004"


def test_search_with_unknown_province_or_too_short_query_gets_422(client, auth):
    unknown = client.get("/api/v1/admin-units/communes", query_string={"q": "hai", "province": "99"},
                         headers=auth)
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {"province": ["Mã tỉnh không tồn tại: 99."]}
    short = client.get("/api/v1/admin-units/communes", query_string={"q": "h"}, headers=auth)
    assert short.status_code == 422
    assert short.get_json()["errors"]["query"]["q"] == ["Nhập từ 2 đến 100 ký tự."]


def test_commune_by_code_and_unknown_code(client, auth):
    assert client.get("/api/v1/admin-units/communes/31078", headers=auth).get_json()["name"] == "Đặc khu Phú Quốc"
    unknown = client.get("/api/v1/admin-units/communes/99999", headers=auth)
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {"code": ["Mã xã không tồn tại: 99999."]}


@pytest.mark.parametrize(
    "address",
    [
        {"province": "Tỉnh Quảng Trị", "district": "Huyện Hải Lăng", "commune": "Xã Hải Thượng"},
        {"province": "quang tri", "district": "hai lang", "commune": "hai thuong"},
    ],
)
def test_pre_2025_address_converts_to_todays_commune(client, auth, address):
    response = client.post("/api/v1/admin-units/convert", json=address, headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["commune"]["code"] == "19702" and body["commune"]["province_code"] == "44"
    assert body["legacy"] == {"province": "Tỉnh Quảng Trị", "district": "Huyện Hải Lăng",
                              "commune": "Xã Hải Thượng", "commune_code": "19708"}


def test_legacy_hanoi_ward_converts(client, auth):
    body = client.post("/api/v1/admin-units/convert", headers=auth,
                       json={"province": "Hà Nội", "district": "Ba Đình", "commune": "Phúc Xá"}).get_json()
    assert body["commune"]["name"] == "Phường Hồng Hà"


def test_unconvertible_addresses_get_422_naming_the_field(client, auth):
    no_province = client.post("/api/v1/admin-units/convert", headers=auth,
                              json={"province": "Xyzxyz", "commune": "Abcabc"})
    assert no_province.status_code == 422
    assert "province" in no_province.get_json()["errors"]
    no_commune = client.post("/api/v1/admin-units/convert", headers=auth,
                             json={"province": "Quảng Trị", "commune": "Không Có Xã Này"})
    assert no_commune.status_code == 422
    assert "commune" in no_commune.get_json()["errors"]
    missing = client.post("/api/v1/admin-units/convert", headers=auth, json={"province": "Quảng Trị"})
    assert missing.get_json()["errors"]["json"]["commune"] == ["Trường này là bắt buộc."]


def test_admin_units_need_a_signed_in_caller(client):
    assert client.get("/api/v1/admin-units/provinces").status_code == 401


@pytest.mark.parametrize(("address", "old_code"), [
    ({"province": "ho chi minh", "district": "3", "commune": "2"}, "27157"),  # numbered units, bare numbers
    ({"province": "TP HCM", "district": "Quận 3", "commune": "Phường 2"}, "27157"),
    ({"province": "Lào Cai", "district": "Sa Pa", "commune": "Phường Sa Pả"}, "03002"),  # the marks decide
    ({"province": "Lào Cai", "district": "Sa Pa", "commune": "Sa Pa"}, "03001"),
    ({"province": "QUẢNG TRỊ", "commune": "hải thượng"}, "19708"),  # no district: found in the province
])
def test_old_addresses_typed_many_ways_are_matched_without_the_gpl_library(client, auth, address, old_code):
    """Issue 15, finding 11: matched with our own folding over the package's MIT data."""
    body = client.post("/api/v1/admin-units/convert", json=address, headers=auth).get_json()
    assert body["legacy"]["commune_code"] == old_code, body
