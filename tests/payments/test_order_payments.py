"""An order's VietQR (API JSON, PNG, SVG, public pay page) and the money that confirms it: bank
notices (signed webhook), staff's cash, and the unmatched queue."""

import itertools
import time

from sqlalchemy import func, select

from connector.audit.models import AuditEvent
from connector.payments.models import Payment
from connector.payments.vietqr import decode
from tests.factories import PASSWORD, bearer, make_token, make_user
from tests.helpers import csrf_token_from, login
from tests.payments.conftest import signed_notice
from tests.payments.test_vietqr import read_back

_references = itertools.count(1)
WEBHOOK = "/api/v1/webhooks/payments"


def notice(order, amount, **extra):
    return {"bank_reference": f"FT{next(_references):08d}", "amount": amount, "memo": f"{order.code} Thanh toan",
            "occurred_at": "2026-11-22T09:30:00+07:00", **extra}


def post_notice(client, app, body, **signing):
    raw, headers = signed_notice(app, body, **signing)
    return client.post(WEBHOOK, data=raw, headers=headers)


def test_the_order_qr_carries_the_amount_the_farmers_account_and_the_order_code(client, auth, make_order):
    order = make_order(total=150000)
    response = client.get(f"/api/v1/orders/{order.id}/payment-qr", headers=auth)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    fields = decode(body["payload"]).fields
    assert (fields["bin"], fields["account"], fields["amount"]) == ("970405", "3906205123456", 150000)
    assert fields["purpose"] == f"{order.code} Thanh toan" and fields["name"] == "NGUYEN VAN DUC"
    assert body["pay_url"].endswith(f"/p/{order.code}")

    png = client.get(f"/api/v1/orders/{order.id}/payment-qr.png", headers=auth)
    assert png.mimetype == "image/png" and read_back(png.data) == body["payload"]
    again = client.get(f"/api/v1/orders/{order.id}/payment-qr.png", headers={**auth, "If-None-Match": png.headers[
        "ETag"]})
    assert again.status_code == 304 and again.data == b""
    svg = client.get(f"/api/v1/orders/{order.id}/payment-qr.svg", headers=auth)
    assert svg.mimetype == "image/svg+xml" and b"<path" in svg.data


def test_public_qr_images_are_immutable_and_cannot_be_forged(client, auth, make_order):
    order = make_order()
    url = client.get(f"/api/v1/orders/{order.id}/payment-qr", headers=auth).get_json()["png_url"]
    path = url.split("localhost", 1)[1]
    image = client.get(path)
    assert image.status_code == 200 and "immutable" in image.headers["Cache-Control"]
    token = path.split("/qr/", 1)[1].removesuffix(".png")
    assert client.get(f"/qr/{token[:-2]}xx.png").status_code == 404


def test_the_qr_api_checks_who_asks_and_what_can_be_paid(client, auth, make_order, db_session):
    order = make_order()
    assert client.get(f"/api/v1/orders/{order.id}/payment-qr").status_code == 401
    elsewhere = bearer(make_token(make_user("agent", province_code="01")))
    assert client.get(f"/api/v1/orders/{order.id}/payment-qr", headers=elsewhere).status_code == 404
    no_account = make_order(payout_bin="", payout_account="", payout_holder="")
    refused = client.get(f"/api/v1/orders/{no_account.id}/payment-qr", headers=auth)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["payee"] == ["Nông hộ chưa có tài khoản ngân hàng hoặc ví để nhận tiền."]


def test_the_pay_page_needs_no_login_and_shows_only_what_the_buyer_needs(client, make_order):
    order = make_order(total=150000)
    page = client.get(f"/p/{order.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "150.000\u00a0₫" in html and "Agribank" in html and "NGUYEN VAN DUC" in html
    assert f"{order.code} Thanh toan" in html and "/qr/" in html and "Chép" in html
    assert "Trần Thị Mua" not in html and "0987000111" not in html  # nothing about the buyer
    assert client.get("/p/DHZZZZZZ").status_code == 404
    assert client.get("/p/" + "x" * 40).status_code == 404


def test_bank_notices_exact_less_and_more(client, app, make_order, db_session):
    exact, part, over = make_order(150000), make_order(150000), make_order(150000)
    assert post_notice(client, app, notice(exact, 150000)).get_json()["outcome"] == "paid"
    assert post_notice(client, app, notice(part, 100000)).get_json()["outcome"] == "partially_paid"
    assert post_notice(client, app, notice(over, 200000)).get_json()["outcome"] == "overpaid"
    for order in (exact, part, over):
        db_session.refresh(order)
    assert (exact.payment_status, exact.paid_vnd) == ("paid", 150000) and exact.paid_at is not None
    assert (part.payment_status, part.paid_vnd) == ("partially_paid", 100000)
    assert over.payment_status == "overpaid"
    # The rest of a partial payment completes it; the pay page then asks for the remainder only.
    assert "50.000\u00a0₫" in client.get(f"/p/{part.code}").get_data(as_text=True)
    assert post_notice(client, app, notice(part, 50000)).get_json()["outcome"] == "paid"


def test_the_same_notice_twice_changes_nothing(client, app, make_order, db_session):
    order = make_order(150000)
    body = notice(order, 100000)
    first, second = post_notice(client, app, body), post_notice(client, app, body)
    assert first.get_json()["duplicate"] is False and second.get_json()["duplicate"] is True
    db_session.refresh(order)
    assert order.paid_vnd == 100000
    assert db_session.scalar(select(func.count(Payment.id)).where(Payment.order_id == order.id)) == 1


def test_a_code_glued_to_a_bank_prefix_in_capitals_still_matches(client, app, make_order, db_session):
    order = make_order(150000)
    body = notice(order, 150000, memo=f"MBVCB.3348.{order.code}THANH TOAN".upper())
    assert post_notice(client, app, body).get_json()["outcome"] == "paid"


def test_notices_without_a_known_code_or_to_another_account_wait_for_staff(client, app, make_order, db_session):
    order = make_order(150000)
    unknown = post_notice(client, app, {**notice(order, 150000), "memo": "chuyen tien DH000000"})
    wrong_account = post_notice(client, app, notice(order, 150000, account="999999999", bin="970405"))
    assert unknown.get_json()["outcome"] == "unmatched" and wrong_account.get_json()["outcome"] == "unmatched"
    db_session.refresh(order)
    assert order.paid_vnd == 0
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    page = client.get("/payments/unmatched").get_data(as_text=True)
    assert "chuyen tien DH000000" in page
    payment = db_session.scalar(select(Payment).where(Payment.memo == "chuyen tien DH000000"))
    token = csrf_token_from(page)
    wrong = client.post(f"/payments/{payment.id}/assign", data={"csrf_token": token, "order_code": "DH999999"},
                        follow_redirects=True)
    assert "Không có đơn hàng nào mang mã này." in wrong.get_data(as_text=True)
    client.post(f"/payments/{payment.id}/assign", data={"csrf_token": token, "order_code": order.code.lower()})
    db_session.refresh(order)
    assert order.payment_status == "paid"


def test_a_bad_or_stale_signature_is_refused_and_stores_nothing(client, app, make_order, db_session):
    order = make_order()
    before = db_session.scalar(select(func.count(Payment.id)))
    assert post_notice(client, app, notice(order, 150000), secret="not-the-secret").status_code == 401
    stale = post_notice(client, app, notice(order, 150000), timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401
    raw, headers = signed_notice(app, notice(order, 150000))
    assert client.post(WEBHOOK, data=raw.replace(b"150000", b"1500000"), headers=headers).status_code == 401
    assert db_session.scalar(select(func.count(Payment.id))) == before


def test_a_malformed_notice_is_a_422_naming_the_field(client, app, make_order, db_session):
    order = make_order()
    for bad, field in (({"amount": "150.000"}, "amount"), ({"amount": 0}, "amount"),
                       ({"bank_reference": ""}, "bank_reference"), ({"occurred_at": "hôm qua"}, "occurred_at")):
        response = post_notice(client, app, {**notice(order, 150000), **bad})
        assert response.status_code == 422 and field in response.get_json()["errors"], (bad, response.get_json())
    db_session.refresh(order)
    assert order.paid_vnd == 0


def test_staff_mark_an_order_paid_in_cash_with_an_audit_record(client, agent, make_order, db_session):
    order = make_order(150000)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Chưa thanh toán" in page and "Ghi nhận đã thanh toán" in page
    token = csrf_token_from(page)
    too_much = client.post(f"/orders/{order.id}/mark-paid", follow_redirects=True,
                           data={"csrf_token": token, "amount": "200.000", "method": "cash"})
    assert "Nhiều hơn số còn phải trả (150.000\u00a0₫)." in too_much.get_data(as_text=True)
    nonsense = client.post(f"/orders/{order.id}/mark-paid", follow_redirects=True,
                           data={"csrf_token": token, "amount": "mười", "method": "cash"})
    assert "Số tiền phải lớn hơn 0 đồng." in nonsense.get_data(as_text=True)
    db_session.refresh(order)
    assert order.paid_vnd == 0
    done = client.post(f"/orders/{order.id}/mark-paid", follow_redirects=True,
                       data={"csrf_token": token, "amount": "150.000", "method": "cash"})
    assert "Đã ghi nhận thanh toán." in done.get_data(as_text=True)
    db_session.refresh(order)
    assert order.payment_status == "paid"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "order",
                                                       AuditEvent.entity_id == order.id))
    assert event.action == "payment" and event.changes["method"] == [None, "cash"]


def test_staff_payment_api_and_its_rules(client, auth, make_order, db_session):
    order = make_order(150000)
    url = f"/api/v1/orders/{order.id}/payments"
    bad_method = client.post(url, json={"amount": 1000, "method": "gold"}, headers=auth)
    assert bad_method.status_code == 422 and "method" in bad_method.get_json()["errors"]
    officer = bearer(make_token(make_user("officer")))
    assert client.post(url, json={"amount": 1000, "method": "cash"}, headers=officer).status_code == 403
    created = client.post(url, json={"amount": 50000, "method": "transfer_seen"}, headers=auth)
    assert created.status_code == 201 and created.get_json()["order_status"] == "partially_paid"


def test_the_public_pay_page_is_throttled_per_address(client, make_order):
    """Issue 15, finding 9: the public pay page had no throttle (order codes could be guessed at will)."""
    order = make_order(total=150000)
    statuses = [client.get(f"/p/DH{n:06d}").status_code for n in range(30)]
    assert set(statuses) == {404}
    assert client.get(f"/p/{order.code}").status_code == 429
    buyer = client.application.test_client()
    buyer.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert buyer.get(f"/p/{order.code}").status_code == 200  # another address is not held up


def test_a_notice_time_without_its_zone_is_told_in_vietnamese(client, app, make_order):
    """Issue 15, finding 9: a naive date and time got marshmallow's English message."""
    order = make_order()
    response = post_notice(client, app, {**notice(order, 150000), "occurred_at": "2026-11-22T09:30:00"})
    assert response.status_code == 422
    assert "múi giờ" in response.get_json()["errors"]["occurred_at"][0]


def test_the_qr_image_address_reveals_nothing_of_the_account(client, auth, make_order):
    """Issue 15, finding 3: the signed token carried the VietQR payload (account, holder) readable in
    the path, so in every access log."""
    import base64
    import contextlib
    import zlib

    order = make_order()
    url = client.get(f"/api/v1/orders/{order.id}/payment-qr", headers=auth).get_json()["png_url"]
    token = url.split("/qr/", 1)[1].removesuffix(".png")
    readable = []  # whatever an onlooker could decode from the address: each part, inflated if it can be
    for part in token.split("."):
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) if part else b""
        readable.append(raw)
        with contextlib.suppress(zlib.error):
            readable.append(zlib.decompress(raw))
    for secret in ("3906205123456", "NGUYEN VAN DUC"):
        assert secret not in url and not any(secret.encode() in raw for raw in readable)
    again = client.get(f"/api/v1/orders/{order.id}/payment-qr", headers=auth).get_json()["png_url"]
    assert again == url  # one payload, one address: caches keep working
