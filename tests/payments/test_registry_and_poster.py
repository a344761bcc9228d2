"""The banks and wallets registry (loaded at install, edited by admins) and the household's QR poster."""

from sqlalchemy import select

from connector.banks.models import Acquirer
from connector.payments.vietqr import decode
from tests.factories import PASSWORD, bearer, household_input, make_household, make_token, make_user, product_input
from tests.helpers import csrf_token_from, login
from tests.payments.test_vietqr import read_back


def test_the_registry_is_loaded_at_install_with_sources_and_the_disputed_codes_flagged(db_session):
    rows = {row.bin: row for row in db_session.scalars(select(Acquirer))}
    assert rows["970436"].short_name == "Vietcombank" and rows["970436"].kind == "bank"
    assert rows["970436"].source and rows["970436"].listed_on
    assert {rows["971005"].kind, rows["971011"].kind} == {"mobile_money"}
    assert "XÁC NHẬN VỚI NAPAS" in rows["971005"].note and "XÁC NHẬN VỚI NAPAS" in rows["971011"].note
    assert rows["971025"].short_name == "MoMo"


def test_admin_adds_a_wallet_and_bad_input_adds_nothing(client, db_session):
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    page = client.get("/payments/acquirers").get_data(as_text=True)
    assert "Vietcombank" in page and "NAPAS" in page
    # The shipped sources and warnings read in Vietnamese, like the rest of the page.
    assert "Danh sách thành viên VietQR của NAPAS" in page and "XÁC NHẬN VỚI NAPAS TRƯỚC KHI" in page
    assert "member list" not in page and "CONFIRM" not in page and "wallet lists" not in page
    token = csrf_token_from(page)
    bad = client.post("/payments/acquirers", data={"csrf_token": token, "bin": "97101", "short_name": "",
                                                   "name_vi": "Ví thử", "kind": "e_wallet", "source": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Mã ngân hàng (BIN) phải gồm đúng 6 chữ số." in html and "Bắt buộc." in html
    duplicate = client.post("/payments/acquirers", data={"csrf_token": token, "bin": "970436", "short_name": "X",
                                                         "name_vi": "X", "kind": "bank", "source": "thử"})
    assert "Mã này đã có trong danh sách." in duplicate.get_data(as_text=True)
    added = client.post("/payments/acquirers", follow_redirects=True, data={
        "csrf_token": token, "bin": "971099", "short_name": "Ví Thử", "name_vi": "Ví điện tử Thử Nghiệm",
        "kind": "e_wallet", "source": "Công văn NAPAS số 12/2026"})
    assert "Đã thêm Ví Thử." in added.get_data(as_text=True)
    assert db_session.get(Acquirer, "971099").enabled
    assert db_session.get(Acquirer, "97101") is None


def test_a_disabled_code_is_refused_for_payout_accounts_and_qr_codes(client, db_session, agent, runner):
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    token = csrf_token_from(client.get("/payments/acquirers").get_data(as_text=True))
    client.post("/payments/acquirers/970403/disable", data={"csrf_token": token})
    assert db_session.get(Acquirer, "970403").enabled is False
    response = client.post("/api/v1/households", headers=bearer(make_token(agent)),
                           json=household_input(payout_bin="970403"))
    assert response.status_code == 422 and "payout_bin" in response.get_json()["errors"]
    refused = runner.invoke(args=["vietqr", "encode", "--bin", "970403", "--account", "123456"])
    assert refused.exit_code == 2 and "--bin:" in refused.output
    assert client.post("/payments/acquirers/970403/enable", data={"csrf_token": token}).status_code == 302
    assert db_session.get(Acquirer, "970403").enabled


def test_only_admins_edit_the_registry(client, agent):
    login(client, agent.username, PASSWORD)
    assert client.get("/payments/acquirers").status_code == 403
    assert client.get("/payments/unmatched").status_code == 403


def test_the_poster_has_the_name_products_stars_and_a_static_qr(client, agent, db_session):
    from connector.catalogue.services import create_product
    from tests.factories import photo_bytes

    household = make_household(agent, head_name="Hoàng Thị Mận")
    create_product(agent, household.id, product_input(status="active", name="Mật ong rừng", ocop_stars=4,
                                                      ocop_certificate_no="OCOP-44-0001", ocop_province_code="44",
                                                      ocop_issued_on="2025-01-10", ocop_expires_on="2028-01-10"),
                   [photo_bytes(300, 200)])
    login(client, agent.username, PASSWORD)
    page = client.get(f"/households/{household.id}/qr-poster").get_data(as_text=True)
    assert "Hoàng Thị Mận" in page and "Mật ong rừng" in page and "OCOP ★★★★" in page
    assert "/static/print.css" in page and "Agribank" in page
    svg_path = page.split('class="qr" src="', 1)[1].split('"', 1)[0]
    svg = client.get(svg_path)
    assert svg.mimetype == "image/svg+xml"
    assert "immutable" in svg.headers["Cache-Control"]
    # The same signed payload as PNG, read back by an independent reader: static, the farmer's account.
    fields = decode(read_back(client.get(svg_path.replace(".svg", ".png")).data)).fields
    assert (fields["initiation"], fields["amount"], fields["account"]) == ("static", None, "3906205123456")


def test_no_poster_without_a_payout_account(client, agent, db_session):
    household = make_household(agent, payout_bin="", payout_account="", payout_holder="")
    login(client, agent.username, PASSWORD)
    response = client.get(f"/households/{household.id}/qr-poster", follow_redirects=True)
    assert "Nông hộ chưa có tài khoản ngân hàng hoặc ví để nhận tiền." in response.get_data(as_text=True)
