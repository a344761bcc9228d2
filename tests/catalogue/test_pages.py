from sqlalchemy import func, select

from connector.catalogue.models import Product
from connector.catalogue.services import create_product
from tests.factories import PASSWORD, make_household, make_listing, make_product, make_user, photo_bytes, product_input
from tests.helpers import csrf_token_from, login, post_multipart


def submit(client, url, fields: dict, photos: list[bytes] = ()):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, **{k: str(v) for k, v in fields.items()}}
    return post_multipart(client, url, data, {"photos": [(photo, f"anh{i}.jpg") for i, photo in enumerate(photos)]})


def products(db_session) -> int:
    return db_session.scalar(select(func.count(Product.id)))


def test_agent_adds_a_product_with_a_photo_and_it_is_ready_to_sell_but_not_yet_listed(client, db_session):
    agent = make_user("agent")
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    response = submit(client, f"/households/{household.id}/products/new",
                      product_input(price_vnd="35.000", status="active"), [photo_bytes(800, 600)])
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu sản phẩm Gạo hữu cơ Hải Lăng." in page
    assert "35.000\u00a0₫ / kg" in page
    # Not on any marketplace yet: the product does not claim to be on sale.
    assert "Sẵn sàng bán" in page and "PostMart: Chưa đăng" in page and "VoSo: Chưa đăng" in page
    assert "Đang bán" not in page


def test_on_sale_is_said_only_where_the_product_is_listed(client, db_session):
    agent = make_user("agent")
    household = make_household(agent)
    product = create_product(agent, household.id, product_input(status="active"), [photo_bytes(800, 600)])
    make_listing(product, "postmart", "live")
    login(client, agent.username, PASSWORD)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "PostMart: Đang bán" in page and "VoSo: Chưa đăng" in page
    assert page.count("Đang bán") == 1


def test_the_edit_page_shows_the_price_grouped_and_takes_it_back_either_way(client, db_session):
    agent = make_user("agent")
    household = make_household(agent)
    product = make_product(household, agent, price_vnd=150000)
    login(client, agent.username, PASSWORD)
    html = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="150.000"' in html and 'value="150000"' not in html
    for typed, expected in (("150.000", 150000), ("175000", 175000), ("1.250.000", 1250000)):
        response = submit(client, f"/products/{product.id}/edit", product_input(price_vnd=typed))
        assert response.status_code == 302, typed
        db_session.refresh(product)
        assert product.price_vnd == expected
    html = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="1.250.000"' in html


def test_bad_price_is_shown_at_the_field_and_nothing_is_saved(client, db_session):
    agent = make_user("agent")
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    before = products(db_session)
    response = submit(client, f"/households/{household.id}/products/new", product_input(price_vnd="abc"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nhập giá bằng đồng, ví dụ 150000 hoặc 150.000." in html
    assert 'value="Gạo hữu cơ Hải Lăng"' in html  # what was typed is kept
    assert products(db_session) == before


def test_on_sale_without_a_photo_is_refused(client, db_session):
    agent = make_user("agent")
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    response = submit(client, f"/households/{household.id}/products/new", product_input(status="active"))
    assert response.status_code == 422
    assert "Hãy thêm ít nhất một ảnh trước khi mở bán sản phẩm." in response.get_data(as_text=True)


def test_a_text_file_renamed_jpg_is_refused_in_the_form(client, db_session):
    agent = make_user("agent")
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    before = products(db_session)
    response = submit(client, f"/households/{household.id}/products/new", product_input(), [b"not an image"])
    assert response.status_code == 422
    assert "Tệp này không phải là ảnh (JPEG, PNG hoặc WebP)." in response.get_data(as_text=True)
    assert products(db_session) == before
