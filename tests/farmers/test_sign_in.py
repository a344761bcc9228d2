"""Farmers sign in with the household's phone and a code (issue 12): every refusal in Vietnamese,
nothing changed by bad input, and the same answers for a registered and an unknown phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from connector.db import utcnow
from connector.extensions import db
from connector.farmers.models import FarmerSession, SignInCode
from connector.notices.models import Notice
from tests.factories import make_household
from tests.farmers.helpers import ask_for_code, enter_code, last_code, post_form, sign_in

UNKNOWN_PHONE = "0987 654 321"


@pytest.fixture
def household(db_session):
    return make_household()


def page(response) -> str:
    return response.get_data(as_text=True)


def test_a_farmer_signs_in_with_the_code_sent_to_the_households_phone(client, app, household):
    sign_in(client, app, household)
    home = client.get("/farmer/")
    assert home.status_code == 200
    assert f"Xin chào, {household.head_name}" in page(home) and "Hàng cần gói" in page(home)
    assert db.session.scalar(select(func.count(FarmerSession.id)).where(
        FarmerSession.household_id == household.id)) == 1


def test_the_code_page_has_one_field_the_phone_can_fill_in(client, household):
    ask_for_code(client, household.phone)
    html = page(client.get("/farmer/sign-in/code"))
    assert html.count("<input id=\"code\"") == 1
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html


def test_a_registered_and_an_unknown_phone_get_the_same_answers(client, app, household):
    known = ask_for_code(client, household.phone)
    known_page = page(client.get("/farmer/sign-in/code"))
    known_wrong = page(enter_code(client, "000000" if last_code(app, household) != "000000" else "111111"))
    client.post("/farmer/sign-in/other-phone", data={})  # CSRF refuses it: use the page's form
    post_form(client, "/farmer/sign-in/other-phone", page="/farmer/sign-in/code")
    unknown = ask_for_code(client, UNKNOWN_PHONE)
    unknown_page = page(client.get("/farmer/sign-in/code"))
    unknown_wrong = page(enter_code(client, "000000"))
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert known_page.replace(household.phone[-3:], "") .count("6 chữ số") == unknown_page.count("6 chữ số")
    assert "Mã không đúng. Còn 4 lần thử." in known_wrong and "Mã không đúng. Còn 4 lần thử." in unknown_wrong
    # Only the household's phone is sent anything.
    assert db.session.scalar(select(func.count(Notice.id))) == 1


@pytest.mark.parametrize("phone, message", [
    ("+1 415 555 0100", "Chỉ chấp nhận số điện thoại Việt Nam"),
    ("0912", "không hợp lệ"),
    ("abc", "không phải là số điện thoại"),
    ("", "Nhập số điện thoại"),
])
def test_a_foreign_or_malformed_phone_is_refused_in_vietnamese_and_nothing_is_made(client, phone, message):
    response = ask_for_code(client, phone)
    assert response.status_code == 400
    assert message in page(response)
    assert db.session.scalar(select(func.count(SignInCode.id))) == 0


def test_a_wrong_code_counts_and_five_wrong_tries_end_the_code(client, app, household):
    ask_for_code(client, household.phone)
    code = last_code(app, household)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    messages = [page(enter_code(client, wrong)) for _ in range(5)]
    assert "Còn 4 lần thử" in messages[0] and "Còn 1 lần thử" in messages[3]
    assert "Sai quá nhiều lần" in messages[4]
    refused = enter_code(client, code)  # the right code, too late
    assert refused.status_code == 400 and "Sai quá nhiều lần" in page(refused)
    assert db.session.scalar(select(func.count(FarmerSession.id))) == 0


def test_a_code_is_single_use(client, app, household):
    sign_in(client, app, household)
    code = last_code(app, household)
    other = app.test_client()
    ask_for_code(other, household.phone)  # a new code replaces it...
    post_form(other, "/farmer/sign-in/other-phone", page="/farmer/sign-in/code")
    assert db.session.scalar(select(func.count(FarmerSession.id))) == 1
    # ...and the old one, already used, signs nobody in.
    third = app.test_client()
    ask_for_code(third, household.phone)
    assert enter_code(third, code).status_code == 400


def test_an_expired_code_is_refused(client, app, household):
    ask_for_code(client, household.phone)
    code = last_code(app, household)
    row = db.session.scalar(select(SignInCode).order_by(SignInCode.id.desc()))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = enter_code(client, code)
    assert response.status_code == 400 and "Mã đã hết hạn" in page(response)
    assert db.session.scalar(select(func.count(FarmerSession.id))) == 0


def test_a_resend_replaces_the_code(client, app, household):
    ask_for_code(client, household.phone)
    first = last_code(app, household)
    response = post_form(client, "/farmer/sign-in/resend", page="/farmer/sign-in/code")
    assert response.status_code == 302
    second = last_code(app, household)
    if first != second:  # one in a million they are equal
        assert enter_code(client, first).status_code == 400
    assert enter_code(client, second).status_code == 302


def test_a_fourth_code_in_ten_minutes_is_refused(client, household):
    for _ in range(3):
        assert ask_for_code(client, household.phone).status_code == 302
    response = ask_for_code(client, household.phone)
    assert response.status_code == 429
    assert "Đợi 10 phút" in page(response)
    assert db.session.scalar(select(func.count(SignInCode.id))) == 3


def test_wrong_tries_are_counted_across_resends_and_lock_the_phone(client, app, household):
    for _ in range(2):
        ask_for_code(client, household.phone)
        code = last_code(app, household)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(5):
            enter_code(client, wrong)
    # Ten wrong tries in the hour: even a fresh code is not sent, and the right code does not help.
    response = ask_for_code(client, household.phone)
    assert response.status_code == 429 and "một giờ" in page(response)


def test_a_farmer_session_opens_no_staff_page_and_a_staff_session_no_farmer_page(client, app, household, agent):
    sign_in(client, app, household)
    for staff_page in ("/", "/households", f"/households/{household.id}", "/orders"):
        response = client.get(staff_page)
        assert response.status_code == 302 and "/login" in response.headers["Location"], staff_page
    assert client.get("/api/v1/households").status_code == 401
    staff = app.test_client()
    from tests.helpers import login

    agent.password_hash = __import__("werkzeug.security", fromlist=["x"]).generate_password_hash("pass-word-1")
    db.session.commit()
    login(staff, agent.username, "pass-word-1")
    response = staff.get("/farmer/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/farmer/sign-in")


def test_signing_out_ends_the_session_even_for_a_copied_cookie(client, app, household):
    sign_in(client, app, household)
    cookie = client.get_cookie("farmer_session", path="/farmer").value
    post_form(client, "/farmer/sign-out", page="/farmer/help")
    thief = app.test_client()
    thief.set_cookie("farmer_session", cookie, path="/farmer")
    assert thief.get("/farmer/").status_code == 302


def test_an_address_asking_for_many_phones_is_capped(client, app, household):
    saved = app.config["FARMER_ADDRESS_LIMIT"]
    app.config["FARMER_ADDRESS_LIMIT"] = "3 per hour"
    try:
        answers = [ask_for_code(client, f"0987 65{number:04d}").status_code for number in range(4)]
    finally:
        app.config["FARMER_ADDRESS_LIMIT"] = saved
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
    assert db.session.scalar(select(func.count(SignInCode.id))) == 3


def test_an_expired_session_is_refused(client, app, household):
    sign_in(client, app, household)
    row = db.session.scalar(select(FarmerSession))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/farmer/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/farmer/sign-in")


def test_a_suspended_household_is_signed_out(client, app, household):
    sign_in(client, app, household)
    household.status = "suspended"
    db.session.commit()
    assert client.get("/farmer/").status_code == 302
