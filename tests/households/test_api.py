import json
import unicodedata

import pytest
from sqlalchemy import func, select

from connector.households.models import Household
from tests.factories import HAI_LANG, bearer, household_input, make_household, make_token, make_user

URL = "/api/v1/households"




def count(db_session) -> int:
    return db_session.scalar(select(func.count(Household.id)))


def test_agent_registers_a_household_with_consent_and_it_is_active(client, auth, agent):
    response = client.post(URL, json=household_input(phone="0912 345 678"), headers=auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "active"
    assert body["phone"] == "+84912345678"
    assert body["commune_name"] == "Xã Hải Lăng"
    assert body["location_approximate"] is True  # no GPS: the commune's centre
    assert body["consent_version"] == "2026-12"
    assert body["payout_account"].endswith("456") and body["payout_account"].startswith("*")


def test_without_consent_it_stays_a_draft(client, auth):
    body = client.post(URL, json=household_input(consent=False), headers=auth).get_json()
    assert body["status"] == "draft"


@pytest.mark.parametrize("typed", ["0912 345 679", "+84 912345679", "84912345679", "091-234-5679"])
def test_phone_formats_are_stored_as_e164(client, auth, typed):
    body = client.post(URL, json=household_input(phone=typed), headers=auth).get_json()
    assert body["phone"] == "+84912345679"


@pytest.mark.parametrize("phone", ["12345", "abc", "+1 202 555 0143", "0123 456 7890", ""])
def test_bad_or_foreign_phones_are_refused_and_nothing_is_saved(client, auth, db_session, phone):
    before = count(db_session)
    response = client.post(URL, json=household_input(phone=phone), headers=auth)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["phone"]
    assert count(db_session) == before


def test_a_phone_cannot_belong_to_two_active_households(client, auth, db_session):
    client.post(URL, json=household_input(phone="0987 654 321", head_name="Lê Văn Tám"), headers=auth)
    before = count(db_session)
    response = client.post(URL, json=household_input(phone="+84987654321", head_name="Trần Thị Bảy"),
                           headers=auth)
    assert response.status_code == 422
    assert response.get_json()["errors"]["phone"] == ["Số điện thoại này đã thuộc về một hộ khác đang hoạt động."]
    assert count(db_session) == before


def test_similar_name_in_the_same_commune_asks_for_confirmation(client, auth, db_session):
    client.post(URL, json=household_input(head_name="Nguyễn Văn Đức"), headers=auth)
    before = count(db_session)
    again = client.post(URL, json=household_input(head_name="nguyen van duc"), headers=auth)
    assert again.status_code == 409
    assert "Nguyễn Văn Đức" in again.get_json()["errors"]["head_name"][0]
    assert count(db_session) == before
    confirmed = client.post(URL, json=household_input(head_name="nguyen van duc", confirm_duplicates=True),
                            headers=auth)
    assert confirmed.status_code == 201


def test_pre_2025_address_is_converted_and_the_result_shown(client, auth):
    data = household_input(commune_code=None, legacy_province="Quảng Trị", legacy_district="Hải Lăng",
                           legacy_commune="Hải Thượng")
    body = client.post(URL, json=data, headers=auth).get_json()
    assert body["commune_code"] == HAI_LANG
    assert body["converted_from"]["commune"] == "Xã Hải Thượng"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"commune_code": "99999"}, "commune_code"),
        ({"commune_code": "00004"}, "commune_code"),  # Hà Nội: outside a Quảng Trị agent's area
        ({"commune_code": None}, "commune_code"),
        ({"lat": 35.68, "lon": 139.69}, "lat"),  # Tokyo
        ({"lat": 21.03, "lon": 105.85}, "lat"),  # in Vietnam but 500 km from Hải Lăng
        ({"lat": 16.7}, "lat"),
        ({"head_name": ""}, "head_name"),
        ({"head_name": "   "}, "head_name"),
        ({"head_name": "A" * 500}, "head_name"),
        ({"head_name": "Nguyễn 🌾"}, "head_name"),
        ({"vpostcode": "1234"}, "vpostcode"),
        ({"payout_bin": "123456"}, "payout_bin"),
        ({"payout_account": "12"}, "payout_account"),
    ],
)
def test_bad_input_is_refused_at_its_field_in_vietnamese(client, auth, db_session, overrides, field):
    before = count(db_session)
    response = client.post(URL, json=household_input(**overrides), headers=auth)
    assert response.status_code == 422
    body = response.get_json()
    assert field in body["errors"], body
    assert body["message"] == "Một số thông tin chưa hợp lệ."
    assert isinstance(body["errors"][field], list) and all(isinstance(m, str) and m for m in body["errors"][field])
    assert count(db_session) == before


def test_gps_location_inside_the_commune_is_kept_exact(client, auth):
    body = client.post(URL, json=household_input(lat=16.70, lon=107.21), headers=auth).get_json()
    assert (body["lat"], body["lon"], body["location_approximate"]) == (16.70, 107.21, False)


def test_nfd_names_are_stored_nfc(client, auth):
    nfd = unicodedata.normalize("NFD", "Hoàng Thị Hòa")
    body = client.post(URL, json=household_input(head_name=nfd), headers=auth).get_json()
    assert body["head_name"] == unicodedata.normalize("NFC", "Hoàng Thị Hòa")


def test_search_ignores_diacritics_and_case(client, auth, agent):
    make_household(agent, head_name="Nguyễn Văn Đức")
    make_household(agent, head_name="Trần Thị Mai")
    for query in ("nguyen van duc", "NGUYỄN VĂN ĐỨC", "van duc"):
        names = [h["head_name"] for h in client.get(URL, query_string={"q": query}, headers=auth).get_json()["items"]]
        assert names == ["Nguyễn Văn Đức"], query


def test_list_is_paginated_and_filtered(client, auth, agent):
    for number in range(5):
        make_household(agent, head_name=f"Hộ Thứ {'ABCDE'[number]}")
    page = client.get(URL, query_string={"per_page": 2, "page": 2}, headers=auth).get_json()
    assert page["total"] >= 5 and len(page["items"]) == 2 and page["page"] == 2
    # The total comes with the page's rows; past the last page, where there are none, it is still told.
    everything = client.get(URL, query_string={"per_page": 100}, headers=auth).get_json()
    assert everything["total"] == len(everything["items"]) >= 5
    past = client.get(URL, query_string={"per_page": 2, "page": 50}, headers=auth).get_json()
    assert past["items"] == [] and past["total"] == everything["total"] == page["total"]
    nothing = client.get(URL, query_string={"q": "không có hộ này"}, headers=auth).get_json()
    assert nothing == {**nothing, "items": [], "total": 0}
    drafts = client.get(URL, query_string={"status": "draft"}, headers=auth).get_json()
    assert all(item["status"] == "draft" for item in drafts["items"])
    assert client.get(URL, query_string={"status": "lost"}, headers=auth).status_code == 422


def test_another_areas_household_answers_404(client, db_session):
    hanoi_agent = make_user("agent", province_code="01")
    household = make_household(make_user("agent"))
    headers = bearer(make_token(hanoi_agent))
    assert client.get(f"{URL}/{household.id}", headers=headers).status_code == 404
    assert client.patch(f"{URL}/{household.id}", json={"village": "x"}, headers=headers).status_code == 404
    assert household.id not in [h["id"] for h in client.get(URL, headers=headers).get_json()["items"]]


def test_officers_read_their_province_but_cannot_write(client, db_session):
    household = make_household(make_user("agent"))
    officer = bearer(make_token(make_user("officer")))
    assert client.get(f"{URL}/{household.id}", headers=officer).status_code == 200
    assert client.patch(f"{URL}/{household.id}", json={"village": "x"}, headers=officer).status_code == 403
    assert client.post(URL, json=household_input(), headers=officer).status_code == 403


def test_update_validates_with_the_stored_fields_and_is_audited(client, auth, agent, db_session):
    household = make_household(agent)
    response = client.patch(f"{URL}/{household.id}", json={"village": "Thôn Mới", "payout_account": "999888777"},
                            headers=auth)
    assert response.status_code == 200
    assert response.get_json()["village"] == "Thôn Mới"
    bad = client.patch(f"{URL}/{household.id}", json={"phone": "123"}, headers=auth)
    assert bad.status_code == 422
    db_session.refresh(household)
    assert household.phone.startswith("+84")
    events = client.get(f"{URL}/{household.id}/history", headers=auth).get_json()
    assert [e["action"] for e in events] == ["update", "create"]
    assert events[0]["changes"]["village"] == ["Thôn Xuân Lộc", "Thôn Mới"]
    assert events[0]["changes"]["payout_account"][1] == "******777"  # never in clear
    assert agent.username == events[0]["actor"]


def test_a_role_that_may_not_write_is_refused_before_its_input_is_read(client, db_session):
    """An officer's or a national viewer's malformed or probing create gets 403, not the 422 or 409
    that would tell them what the form checks (found by the API fuzzing, issue 15)."""
    make_household(phone="0912 345 678")
    for role in ("officer", "national"):
        headers = bearer(make_token(make_user(role)))
        for body in ([], {"head_name": ""}, household_input(phone="0912 345 678")):
            response = client.post(URL, json=body, headers=headers)
            assert response.status_code == 403, (role, body, response.get_json())
            assert response.get_json()["message"] == "Bạn không có quyền thực hiện thao tác này."


def test_unknown_fields_in_an_update_are_refused(client, auth, agent):
    household = make_household(agent)
    response = client.patch(f"{URL}/{household.id}", json={"cccd": "001234567890"}, headers=auth)
    assert response.status_code == 422
    assert "cccd" in response.get_json()["errors"]


def test_archive_frees_the_phone_and_keeps_history(client, auth, agent):
    household = make_household(agent, phone="0905 111 222")
    assert client.post(f"{URL}/{household.id}/archive", headers=auth).get_json()["status"] == "archived"
    again = client.post(URL, json=household_input(phone="0905111222", head_name="Hộ Mới"), headers=auth)
    assert again.status_code == 201
    assert client.patch(f"{URL}/{household.id}", json={"village": "x"}, headers=auth).status_code == 422


def test_a_body_that_is_not_an_object_is_refused(client, auth):
    assert client.post(URL, data="[]", content_type="application/json", headers=auth).status_code == 422


@pytest.mark.parametrize("special", ["NaN", "Infinity", "-Infinity"])
def test_nan_coordinates_are_refused_in_vietnamese(client, auth, db_session, special):
    """Issue 15, finding 9: NaN coordinates got marshmallow's English message."""
    before = count(db_session)
    raw = json.dumps({**household_input(), "lat": 16.7, "lon": 107.2}).replace("107.2", special)
    response = client.post(URL, data=raw, content_type="application/json", headers=auth)
    assert response.status_code == 422 and response.get_json()["errors"]["lon"] == ["Phải là một số bình thường."]
    assert count(db_session) == before
