import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from connector.catalogue.models import Product
from tests.factories import bearer, make_household, make_token, make_user, photo_bytes, product_input
from tests.helpers import post_multipart


@pytest.fixture
def household(agent):
    return make_household(agent)


def products_url(household):
    return f"/api/v1/households/{household.id}/products"


def count(db_session) -> int:
    return db_session.scalar(select(func.count(Product.id)))


def create(client, auth, household, **overrides):
    return client.post(products_url(household), json=product_input(**overrides), headers=auth)


def upload(client, auth, product_id, data: bytes, filename="anh.jpg"):
    return post_multipart(client, f"/api/v1/products/{product_id}/photos", {}, {"photo": [(data, filename)]}, auth)


def test_agent_adds_a_product_as_a_draft(client, auth, household):
    response = create(client, auth, household)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["name"], body["price_vnd"], body["unit"], body["status"]) == ("Gạo hữu cơ Hải Lăng", 35000, "kg",
                                                                               "draft")


@pytest.mark.parametrize(("typed", "stored"), [("150.000", 150000), ("150,000", 150000), ("150 000 ₫", 150000),
                                               ("150000", 150000), (150000, 150000), ("1.250.000đ", 1250000)])
def test_prices_are_accepted_the_way_people_type_them(client, auth, household, typed, stored):
    assert create(client, auth, household, price_vnd=typed).get_json()["price_vnd"] == stored


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price_vnd": 0}, "price_vnd"), ({"price_vnd": -5000}, "price_vnd"), ({"price_vnd": "abc"}, "price_vnd"),
        ({"price_vnd": "150.5"}, "price_vnd"), ({"price_vnd": 10**12 + 1}, "price_vnd"),
        ({"price_vnd": "1.500,000"}, "price_vnd"), ({"stock": -1}, "stock"),
        ({"name": "   "}, "name"), ({"name": "x" * 500}, "name"), ({"category": "cars"}, "category"),
        ({"unit": "tấn"}, "unit"), ({"weight_grams": 0}, "weight_grams"),
        ({"ocop_stars": 2}, "ocop_stars"), ({"ocop_stars": 6}, "ocop_stars"),
        ({"ocop_stars": 4}, "ocop_certificate_no"),
        ({"ocop_stars": 4, "ocop_certificate_no": "123/QĐ-UBND", "ocop_province_code": "44",
          "ocop_issued_on": "2025-05-01", "ocop_expires_on": "2025-01-01"}, "ocop_expires_on"),
        ({"ocop_stars": 4, "ocop_certificate_no": "1", "ocop_province_code": "99",
          "ocop_issued_on": "2025-05-01", "ocop_expires_on": "2028-05-01"}, "ocop_province_code"),
    ],
)
def test_bad_product_input_is_refused_at_its_field(client, auth, household, db_session, overrides, field):
    before = count(db_session)
    response = create(client, auth, household, **overrides)
    assert response.status_code == 422
    messages = response.get_json()["errors"][field]
    assert isinstance(messages, list) and all(isinstance(m, str) and m for m in messages)
    assert count(db_session) == before


def test_expired_ocop_certificate_is_shown_expired_and_not_advertised(client, auth, household):
    expired = create(client, auth, household, ocop_stars=4, ocop_certificate_no="15/QĐ-UBND",
                     ocop_province_code="44", ocop_issued_on="2022-03-01",
                     ocop_expires_on=(date.today() - timedelta(days=1)).isoformat()).get_json()
    assert expired["ocop_stars"] == 4 and expired["ocop_expired"] is True
    assert expired["ocop_advertised_stars"] is None
    valid = create(client, auth, household, ocop_stars=5, ocop_certificate_no="16/QĐ-UBND",
                   ocop_province_code="44", ocop_issued_on="2025-03-01", ocop_expires_on="2028-03-01").get_json()
    assert valid["ocop_advertised_stars"] == 5


def test_photo_is_cleaned_resized_and_served_to_staff_only(app, client, auth, household):
    product = create(client, auth, household).get_json()
    response = upload(client, auth, product["id"], photo_bytes())
    assert response.status_code == 201
    photo = response.get_json()
    assert max(photo["width"], photo["height"]) == 1600
    with client.get(photo["url"], headers=auth) as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        stored = Image.open(io.BytesIO(served.data))
    assert not stored.getexif(), "EXIF (camera, GPS) must be gone"
    with client.get(photo["thumb_url"], headers=auth) as served_thumb:
        thumb = Image.open(io.BytesIO(served_thumb.data))
    assert max(thumb.size) == 320
    assert client.get(photo["url"]).status_code == 401
    outsider = bearer(make_token(make_user("agent", province_code="01")))
    assert client.get(photo["url"], headers=outsider).status_code == 404


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"this is a text file pretending", "anh.jpg"),
        (b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 500_000), "to.jpg"),  # 10.5 MB
        (photo_bytes(image_format="GIF", with_gps=False), "anh.gif"),
    ],
)
def test_bad_photos_are_refused_in_vietnamese(client, auth, household, data, filename):
    product = create(client, auth, household).get_json()
    response = upload(client, auth, product["id"], data, filename)
    assert response.status_code == 422
    assert response.get_json()["errors"]["photo"][0] in (
        "Tệp này không phải là ảnh (JPEG, PNG hoặc WebP).", "Ảnh lớn hơn 10 MB.")
    assert client.get(f"/api/v1/products/{product['id']}", headers=auth).get_json()["photos"] == []


def test_at_most_six_photos(client, auth, household):
    product = create(client, auth, household).get_json()
    small = photo_bytes(200, 150)
    assert all(upload(client, auth, product["id"], small).status_code == 201 for _ in range(6))
    seventh = upload(client, auth, product["id"], small)
    assert seventh.status_code == 422
    assert seventh.get_json()["errors"]["photo"] == ["Tối đa 6 ảnh."]


def test_a_product_goes_on_sale_only_with_a_photo(client, auth, household):
    product = create(client, auth, household).get_json()
    url = f"/api/v1/products/{product['id']}"
    refused = client.patch(url, json={"status": "active"}, headers=auth)
    assert refused.status_code == 422
    assert "ảnh" in refused.get_json()["errors"]["status"][0]
    upload(client, auth, product["id"], photo_bytes(300, 300))
    assert client.patch(url, json={"status": "active"}, headers=auth).get_json()["status"] == "active"


def test_update_price_and_stock_are_audited(client, auth, household):
    product = create(client, auth, household).get_json()
    url = f"/api/v1/products/{product['id']}"
    body = client.patch(url, json={"price_vnd": "40.000", "stock": 150}, headers=auth).get_json()
    assert (body["price_vnd"], body["stock"]) == (40000, 150)
    assert client.patch(url, json={"stock": -3}, headers=auth).status_code == 422
    assert client.get(url, headers=auth).get_json()["stock"] == 150


def test_other_areas_products_are_not_found_and_officers_cannot_write(client, auth, household):
    product = create(client, auth, household).get_json()
    outsider = bearer(make_token(make_user("agent", province_code="01")))
    assert client.get(f"/api/v1/products/{product['id']}", headers=outsider).status_code == 404
    assert client.post(products_url(household), json=product_input(), headers=outsider).status_code == 404
    officer = bearer(make_token(make_user("officer")))
    assert client.get(f"/api/v1/products/{product['id']}", headers=officer).status_code == 200
    assert client.patch(f"/api/v1/products/{product['id']}", json={"stock": 1}, headers=officer).status_code == 403


def test_archive_removes_it_from_the_list(client, auth, household):
    product = create(client, auth, household).get_json()
    assert client.post(f"/api/v1/products/{product['id']}/archive", headers=auth).get_json()["status"] == "archived"
    assert client.get(products_url(household), headers=auth).get_json() == []


def test_a_12_mb_upload_is_refused_with_a_vietnamese_413_and_saves_nothing(client, auth, household):
    product = create(client, auth, household).get_json()
    response = upload(client, auth, product["id"], b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024))
    assert response.status_code == 413
    assert response.get_json()["message"] == "Tệp quá lớn."
    assert client.get(f"/api/v1/products/{product['id']}", headers=auth).get_json()["photos"] == []


def test_stock_must_be_whole_and_each_bound_has_its_own_message(client, auth, household, db_session):
    """Issue 15, finding 9: a stock of 1.5 was saved as 1, and 10,000,001 was told "must be 0 or more"."""
    before = count(db_session)
    half = create(client, auth, household, stock=1.5)
    assert half.status_code == 422 and half.get_json()["errors"]["stock"] == ["Phải là số nguyên."]
    too_many = create(client, auth, household, stock=10_000_001)
    assert too_many.get_json()["errors"]["stock"] == ["Tồn kho tối đa 10.000.000."]
    assert create(client, auth, household, stock=-1).get_json()["errors"]["stock"] == ["Tồn kho phải từ 0 trở lên."]
    assert count(db_session) == before
    assert create(client, auth, household, stock=12.0).get_json()["stock"] == 12  # a whole number sent as 12.0


def test_a_description_keeps_its_line_breaks(client, auth, household):
    """Issue 15, finding 9: descriptions lost their line breaks."""
    typed = "Gạo thơm   Hải Lăng\r\nTrồng theo VietGAP\n\n\n\n  Đóng túi 5 kg  "
    body = create(client, auth, household, description=typed).get_json()
    assert body["description"] == "Gạo thơm Hải Lăng\nTrồng theo VietGAP\n\nĐóng túi 5 kg"


def test_a_certificate_expires_by_the_date_in_vietnam_not_the_servers(client, auth, household):
    """The server keeps UTC; from 17:00 UTC it is already tomorrow in Vietnam. A certificate valid
    until yesterday (Vietnam's date) has expired, one valid until today has not."""
    from connector.clock import vietnam_today

    def expired(until):
        return create(client, auth, household, ocop_stars=4, ocop_certificate_no="245/QĐ-UBND", ocop_province_code="44",
                      ocop_issued_on="2024-01-01", ocop_expires_on=until.isoformat()).get_json()["ocop_expired"]

    assert expired(vietnam_today() - timedelta(days=1)) is True
    assert expired(vietnam_today()) is False
