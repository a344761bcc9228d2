"""The handover sheet's sign-in QR (issue 12): it works once, a newer sheet voids it, and it expires;
the agent sees the farmer's phones and can sign one out."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from connector.db import utcnow
from connector.extensions import db
from connector.farmers.models import FarmerSession, SignInLink
from tests.factories import make_household
from tests.farmers.helpers import post_form, sign_in
from tests.helpers import login


@pytest.fixture
def agent_client(app, agent):
    from werkzeug.security import generate_password_hash

    agent.password_hash = generate_password_hash("agent-pass-1")
    db.session.commit()
    client = app.test_client()
    login(client, agent.username, "agent-pass-1")
    return client


@pytest.fixture
def household(agent):
    return make_household(agent)


def print_sheet(agent_client, household):
    response = post_form(agent_client, f"/households/{household.id}/handover", page=f"/households/{household.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)




def qr_path(sheet: str) -> str:
    match = re.search(r'data:image/svg\+xml;base64,([^"]+)"', sheet)
    svg = base64.b64decode(match.group(1)).decode()
    return svg


def read_qr(svg: str) -> str:
    """Draw the SVG's path modules into a bitmap and decode it with zxing-cpp."""
    size = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    scale = 8
    image = Image.new("L", (int(size * scale), int(size * scale)), 255)
    pixels = image.load()
    # qrcode's SvgPathImage draws each dark module as "M<x>,<y>H<x2>V<y2>H<x>z".
    for x, y, x2, y2 in re.findall(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H", svg):
        for px in range(round(float(x) * scale), round(float(x2) * scale)):
            for py in range(round(float(y) * scale), round(float(y2) * scale)):
                pixels[px, py] = 0
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found"
    return found[0].text


def test_the_sheet_carries_a_sign_in_qr_the_payment_qr_and_the_drop_off_point(agent_client, household):
    sheet = print_sheet(agent_client, household)
    assert "Quét để mở trang của bạn" in sheet and "Người mua quét để trả tiền cho bạn" in sheet
    assert 'src="/qr/' in sheet  # the household's static VietQR
    assert "/farmer/qr/" not in sheet.replace("data:image", "")  # the token only inside the inline image


def test_the_sign_in_qr_works_once(app, agent_client, household):
    url = read_qr(qr_path(print_sheet(agent_client, household)))
    path = url.split("://", 1)[1].split("/", 1)[1]
    farmer = app.test_client()
    confirm = farmer.get(f"/{path}")
    assert confirm.status_code == 200 and "Mở trang của tôi" in confirm.get_data(as_text=True)
    assert post_form(farmer, f"/{path}").status_code == 302
    assert farmer.get("/farmer/").status_code == 200
    again = app.test_client()
    assert again.get(f"/{path}").status_code == 410
    refused = again.post(f"/{path}", data={})  # no CSRF token: refused before anything
    assert refused.status_code in (400, 410)
    assert db.session.scalar(select(func.count(FarmerSession.id))) == 1


def test_an_expired_or_replaced_sign_in_qr_is_refused(app, agent_client, household):
    first = read_qr(qr_path(print_sheet(agent_client, household))).split("/farmer/", 1)[1]
    second = read_qr(qr_path(print_sheet(agent_client, household))).split("/farmer/", 1)[1]
    farmer = app.test_client()
    page = farmer.get(f"/farmer/{first}")
    assert page.status_code == 410 and "đã được dùng hoặc đã hết hạn" in page.get_data(as_text=True)
    link = db.session.scalar(select(SignInLink).where(SignInLink.revoked_at.is_(None)))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert farmer.get(f"/farmer/{second}").status_code == 410


def test_a_guessed_token_is_refused(app):
    assert app.test_client().get("/farmer/qr/" + "A" * 32).status_code == 410


def test_the_agent_sees_the_farmers_phones_and_signs_one_out(app, agent_client, household):
    farmer = app.test_client()
    sign_in(farmer, app, household)
    detail = agent_client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Đăng xuất điện thoại này" in detail
    session_id = db.session.scalar(select(FarmerSession.id))
    response = post_form(agent_client, f"/households/{household.id}/farmer-sessions/{session_id}/end",
                         page=f"/households/{household.id}")
    assert response.status_code == 302
    assert farmer.get("/farmer/").status_code == 302  # signed out on the farmer's phone


def test_an_agent_of_another_area_cannot_print_the_sheet_or_end_sessions(app, household):
    from werkzeug.security import generate_password_hash

    from tests.factories import make_user

    other = make_user("agent", province_code="01")
    other.password_hash = generate_password_hash("other-pass-1")
    db.session.commit()
    client = app.test_client()
    login(client, other.username, "other-pass-1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.post(f"/households/{household.id}/handover", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(func.count(SignInLink.id))) == 0
