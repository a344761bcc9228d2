import re

from sqlalchemy import func, select

from connector.households.models import Household
from tests.factories import PASSWORD, household_input, make_household, make_product, make_user
from tests.helpers import csrf_token_from, login


def signed_in_agent(client, **overrides):
    agent = make_user("agent", **overrides)
    login(client, agent.username, PASSWORD)
    return agent


def post_form(client, url, data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    form = {key: ("" if value is None else value) for key, value in data.items() if key != "consent"}
    if data.get("consent"):
        form["consent"] = "yes"
    return client.post(url, data={"csrf_token": token, **form})


def test_agent_registers_a_household_through_the_form(client):
    signed_in_agent(client)
    response = post_form(client, "/households/new", household_input(head_name="Lê Thị Hoa", phone="0905 123 456"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu hộ Lê Thị Hoa." in page
    assert "0905 123 456" in page and "Đang hoạt động" in page
    assert "*******456" in page and "3906205123456" not in page  # the account is masked


def test_a_failing_form_keeps_what_was_typed_and_saves_nothing(client, db_session):
    signed_in_agent(client)
    before = db_session.scalar(select(func.count(Household.id)))
    typed = household_input(head_name="Phạm Văn Bình", phone="12", village="Thôn Đông")
    response = post_form(client, "/households/new", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số điện thoại không hợp lệ" in html
    assert 'value="Phạm Văn Bình"' in html and 'value="Thôn Đông"' in html and 'value="12"' in html
    assert db_session.scalar(select(func.count(Household.id))) == before


def test_possible_duplicate_is_shown_before_saving_and_can_be_confirmed(client, db_session):
    agent = signed_in_agent(client)
    existing = make_household(agent, head_name="Nguyễn Văn Đức")
    data = household_input(head_name="Nguyen Van Duc")
    shown = post_form(client, "/households/new", data)
    assert shown.status_code == 409
    assert f"/households/{existing.id}" in shown.get_data(as_text=True)
    confirmed = post_form(client, "/households/new", {**data, "confirm_duplicates": "yes"})
    assert confirmed.status_code == 302


def test_old_address_is_converted_and_the_agent_is_told(client):
    signed_in_agent(client)
    data = household_input(commune_code="", legacy_commune="Hải Thượng", legacy_district="Hải Lăng",
                           legacy_province="Quảng Trị")
    response = post_form(client, "/households/new", data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Địa chỉ cũ Xã Hải Thượng, Huyện Hải Lăng, Tỉnh Quảng Trị nay là Xã Hải Lăng, Tỉnh Quảng Trị." in page


def test_list_search_ignores_diacritics_and_filters(client):
    agent = signed_in_agent(client)
    make_household(agent, head_name="Nguyễn Văn Đức")
    make_household(agent, head_name="Trần Thị Mai", consent=False)
    html = client.get("/households", query_string={"q": "nguyen van duc"}).get_data(as_text=True)
    assert "Nguyễn Văn Đức" in html and "Trần Thị Mai" not in html
    drafts = client.get("/households", query_string={"status": "draft"}).get_data(as_text=True)
    assert "Trần Thị Mai" in drafts and "Nguyễn Văn Đức" not in drafts


def test_edit_and_archive(client, db_session):
    agent = signed_in_agent(client)
    household = make_household(agent)
    edited = post_form(client, f"/households/{household.id}/edit",
                       {**household_input(phone=household.phone, village="Thôn Tây")})
    assert edited.status_code == 302
    assert "Thôn Tây" in client.get(f"/households/{household.id}").get_data(as_text=True)
    token = csrf_token_from(client.get(f"/households/{household.id}").get_data(as_text=True))
    client.post(f"/households/{household.id}/archive", data={"csrf_token": token})
    db_session.refresh(household)
    assert household.status == "archived"
    listing = client.get("/households").get_data(as_text=True)
    assert "Đã lưu trữ hộ Nguyễn Văn Đức." in listing and "<strong>Nguyễn Văn Đức</strong>" not in listing


def test_other_provinces_households_are_not_found(client):
    household = make_household(make_user("agent"))
    signed_in_agent(client, province_code="01")
    assert client.get(f"/households/{household.id}").status_code == 404
    assert client.get(f"/households/{household.id}/edit").status_code == 404


def test_officers_read_but_see_no_register_button(client):
    household = make_household(make_user("agent"))
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    assert client.get(f"/households/{household.id}").status_code == 200
    assert "/households/new" not in client.get("/households").get_data(as_text=True)
    assert client.get("/households/new").status_code == 403


def test_an_officer_sees_products_without_dead_links(client):
    agent = make_user("agent")
    household = make_household(agent)
    product = make_product(household, agent, name="Gạo ST25 Hải Lăng")
    login(client, make_user("officer").username, PASSWORD)
    html = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Gạo ST25 Hải Lăng" in html and 'href="#"' not in html
    assert f"/products/{product.id}/edit" not in html  # an officer cannot edit, so no link to the form
    agent_client = client.application.test_client()
    login(agent_client, agent.username, PASSWORD)
    agent_page = agent_client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f'href="/products/{product.id}/edit"' in agent_page


def test_form_without_csrf_token_saves_nothing(client, db_session):
    signed_in_agent(client)
    before = db_session.scalar(select(func.count(Household.id)))
    response = client.post("/households/new", data=household_input(consent="yes"))
    assert response.status_code == 400
    assert db_session.scalar(select(func.count(Household.id))) == before


def test_consent_text_is_vietnamese_and_printable(client):
    agent = signed_in_agent(client)
    household = make_household(agent, head_name="Võ Thị Sáu")
    html = client.get(f"/households/{household.id}/consent").get_data(as_text=True)
    assert "GIẤY ĐỒNG Ý XỬ LÝ DỮ LIỆU CÁ NHÂN" in html and "Võ Thị Sáu" in html
    assert "13/2023/NĐ-CP" in html and "data-print" in html


def test_consent_names_each_marketplace_with_its_owner(client):
    agent = signed_in_agent(client)
    html = client.get(f"/households/{make_household(agent).id}/consent").get_data(as_text=True)
    # PostMart is Vietnam Post's, VoSo is Viettel Post's: the household agrees to both, by name.
    assert "PostMart của Bưu điện Việt Nam (VNPost)" in html and "VoSo của Viettel Post" in html
    assert "sàn thương mại điện tử của Bưu điện" not in html and "Voso" not in html


def test_form_page_weight_stays_under_50_kb(client):
    signed_in_agent(client)
    html = client.get("/households/new").get_data(as_text=True)
    total = len(html.encode())
    for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        with client.get(path) as asset:
            total += len(asset.data)
    assert total < 50 * 1024


def test_the_edit_page_shows_the_account_masked_and_keeps_it_unless_a_new_one_is_typed(client, db_session):
    """Issue 15, finding 7: the full account number was in the edit page."""
    agent = signed_in_agent(client)
    household = make_household(agent)
    page = client.get(f"/households/{household.id}/edit").get_data(as_text=True)
    assert "3906205123456" not in page and "**********456" in page
    form = {**household_input(phone=household.phone, village="Thôn Đông"), "payout_account": ""}
    assert post_form(client, f"/households/{household.id}/edit", form).status_code == 302
    db_session.refresh(household)
    assert household.payout_account == "3906205123456" and household.village == "Thôn Đông"
    form["payout_account"] = "1234567890"
    assert post_form(client, f"/households/{household.id}/edit", form).status_code == 302
    db_session.refresh(household)
    assert household.payout_account == "1234567890"


def test_the_list_shows_phones_and_communes_and_asks_the_database_only_what_it_shows(client):
    """The load benchmark's findings (issue 15): the list read the signed-in agent again after the
    request's commit (to decide its Cache-Control), and loaded every commune of the province as an
    object. Still shown: the phone as Vietnamese write it, the communes to filter by, no-store."""
    from connector.extensions import db
    from tests.helpers import statements_run

    agent = signed_in_agent(client)
    make_household(agent, head_name="Lê Văn Phúc", phone="0912 345 678")
    with statements_run(db.engine) as statements:
        answer = client.get("/households")
    html = answer.get_data(as_text=True)
    assert "Lê Văn Phúc" in html and "0912 345 678" in html
    assert re.search(r'<option value="19702">[^<]*Hải Lăng</option>', html)
    assert "no-store" in answer.headers["Cache-Control"]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum(bool(re.search(r"FROM users\b", s)) for s in reads) == 1, reads  # the session's user, once
    assert len(reads) == 3, reads  # user, page of households with their communes and count, communes to filter by
    # The province's communes are kept by the process (they change at a release): the next page
    # does not ask for them again, and still offers them, the one filtered by selected.
    with statements_run(db.engine) as statements:
        html = client.get("/households?commune_code=19702").get_data(as_text=True)
    assert re.search(r'<option value="19702" selected>[^<]*Hải Lăng</option>', html)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements


def test_a_household_page_asks_the_database_as_often_for_many_products_as_for_one(client):
    """Found beside issue 15's load benchmark: the household page read each product's photos and its
    listings on both marketplaces one product at a time."""
    from connector.extensions import db
    from tests.factories import make_listing
    from tests.helpers import selects_for

    agent = signed_in_agent(client)
    household = make_household(agent)
    page = f"/households/{household.id}"

    def add_product(name: str):
        product = make_product(household, name=name)
        make_listing(product, "postmart", state="live")
        db.session.commit()

    add_product("Mật ong rừng")
    with_one = selects_for(client, page)
    for name in ("Chè Shan tuyết", "Gạo séng cù", "Miến dong"):
        add_product(name)
    html = client.get(page).get_data(as_text=True)
    assert html.count("PostMart: ") == 4 and "Miến dong" in html
    assert selects_for(client, page) == with_one


def test_a_household_page_reads_the_one_bank_it_names_not_the_whole_registry(client):
    """Found profiling issue 15's load: each household page loaded every bank and wallet (some 60 rows
    made into objects) to name one."""
    from connector.extensions import db
    from tests.helpers import statements_run

    household = make_household(signed_in_agent(client))  # paid into Agribank (BIN 970405)
    with statements_run(db.engine) as statements:
        html = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Agribank" in html
    reads = [s for s in statements if re.search(r"FROM acquirers\b", s)]
    assert len(reads) == 1 and re.search(r"WHERE acquirers\.bin = ", reads[0]), reads
