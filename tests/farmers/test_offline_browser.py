"""The farmer pages installed on a phone and used offline (issue 13): the manifest and its icons, the
service worker keeping the pages seen and saying so offline, and the queue of changes made offline,
sent once when the phone is back online (real Chromium at 360×640, the app on a real port)."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
from flask import request
from flask_migrate import upgrade
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from connector import create_app
from connector.admin_units.services import sync_admin_units
from connector.extensions import db
from connector.farmers.models import FarmerSession
from connector.farmers.sessions import COOKIE, COOKIE_PATH, start_session
from connector.households.models import Household
from connector.households.validation import clean_phone
from connector.seed import DEMO_FARMER_PHONE, seed_demo
from tests.e2e import serve
from tests.factories import make_household
from tests.farmers.helpers import last_code, sign_in
from tests.helpers import wait_for_js

STATIC = Path(__file__).resolve().parents[2] / "connector" / "static"
CLOCK = r"\d{1,2}:\d{2}$"  # HH:MM, the phone's time (a copy of another day adds its date)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


# -- the manifest, the worker's script and the budgets (no browser) -----------------------------------
def test_the_manifest_names_the_farmers_app_in_vietnamese_with_its_icons(client):
    response = client.get("/farmer/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == manifest["short_name"] == "Gian hàng của tôi"
    assert (manifest["lang"], manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "vi", "/farmer/", "/farmer/", "standalone")
    assert manifest["theme_color"] == "#0b6b3a" and "#0b6b3a" in (STATIC / "farmer.css").read_text()
    sizes = {}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        with Image.open(io.BytesIO(image.get_data())) as picture:
            assert f"{picture.width}x{picture.height}" == icon["sizes"]
            sizes.setdefault(icon["purpose"], set()).add(picture.width)
        image.close()
    assert sizes == {"any": {192, 512}, "maskable": {512}}


def test_every_farmer_page_links_the_manifest_and_its_script(client):
    html = client.get("/farmer/sign-in").get_data(as_text=True)
    assert '<link rel="manifest" href="/farmer/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0b6b3a">' in html
    assert re.search(r'<script defer src="/static/farmer.js" data-sw="/farmer/sw.js"', html)
    assert 'data-msg-queued="Đã lưu thay đổi, sẽ gửi khi có mạng"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script (the CSP to come forbids them)"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"


def test_the_worker_is_served_for_the_farmer_pages_and_always_revalidated(client):
    response = client.get("/farmer/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/farmer/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    build = json.loads(re.search(r"const BUILD = (\{.*\});", source).group(1))
    assert re.fullmatch(r"[0-9a-f]{12}", build["version"])
    assert build["offline"] == "Không có kết nối mạng — đang xem bản đã lưu lúc %(time)s"
    assert "/static/farmer.css" in build["static"] and build["offlinePage"] == "/farmer/offline"


def test_the_farmer_script_and_worker_stay_small():
    # Unminified, comments included (about 1 KB of them); a farmer page loads farmer.js only.
    size = sum(len((STATIC / name).read_bytes()) for name in ("farmer.js", "farmer-sw.js"))
    assert size < 11_000, f"farmer.js + farmer-sw.js: {size} bytes"
    assert len((STATIC / "farmer.js").read_bytes()) < 7_000


def test_a_farmer_page_with_its_css_and_script_stays_under_30_kb(client, app, db_session):
    sign_in(client, app, make_household())
    page = client.get("/farmer/", headers={"Accept-Encoding": "identity"}).get_data()
    size = len(page) + sum(len((STATIC / name).read_bytes()) for name in ("farmer.css", "farmer.js"))
    assert size <= 30_000, f"/farmer/ with farmer.css and farmer.js: {size} bytes"


def test_a_fresh_csrf_token_only_for_a_signed_in_farmer(client, app, db_session):
    assert client.get("/farmer/csrf-token").headers["Location"].endswith("/farmer/sign-in")
    sign_in(client, app, make_household())
    response = client.get("/farmer/csrf-token")
    assert response.status_code == 200 and len(response.get_json()["csrf_token"]) > 20
    assert "no-store" in response.headers["Cache-Control"]


# -- in Chromium --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def farm(tmp_path_factory, app_config):
    """An app with the demo farmer on a database of its own, served on a real port; it records every
    POST it receives (path, change_id, csrf_token), whether or not it accepts it, and answers the paths
    put in `slow` after 6 s. Returns (url, app, posts, slow)."""
    folder = tmp_path_factory.mktemp("offline")
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'offline.sqlite3'}",
                      "MEDIA_ROOT": str(folder / "media"), "INSTANCE_DIR": str(folder)})
    posts: list[tuple[str, str | None, str | None]] = []
    slow: set[str] = set()

    def record_post():
        if request.method == "POST":
            posts.append((request.path, request.form.get("change_id"), request.form.get("csrf_token")))
        if request.path in slow:
            time.sleep(6)

    app.before_request_funcs.setdefault(None, []).insert(0, record_post)  # before the CSRF check
    with app.app_context():
        upgrade()
        sync_admin_units()
        seed_demo()
        db.session.commit()
        db.session.remove()
    url, stop = serve(app)
    yield url, app, posts, slow
    stop()
    with app.app_context():
        db.engine.dispose()


def sign_in_through_the_pages(page, url: str, app) -> None:
    """The demo farmer signs in with the household's phone and the code the SMS would carry (as
    tests/browser/test_every_page.py does for its own household)."""
    page.goto(f"{url}/farmer/sign-in")
    page.fill("#phone", DEMO_FARMER_PHONE)
    page.click("form button.primary")
    page.wait_for_url(f"{url}/farmer/sign-in/code")
    with app.app_context():
        code = last_code(app, demo_household(app))
        db.session.remove()
    page.fill("#code", code)
    page.click("form button.primary")
    page.wait_for_url(f"{url}/farmer/")


def demo_household(app) -> Household:
    return db.session.scalar(select(Household).where(Household.phone == clean_phone(DEMO_FARMER_PHONE)))


def signed_in_and_controlled(page, url: str, app, through_the_pages: bool = False) -> str:
    """The demo farmer signs in (through the pages, or with a session made here: the pages send at
    most 3 codes per phone in 10 minutes); the worker installs and controls the page, which is then
    loaded through it once (so it is kept). Returns the page's heading."""
    if through_the_pages:
        sign_in_through_the_pages(page, url, app)
    else:
        with app.app_context():
            _session, token = start_session(demo_household(app), "code", "Chrome Android")
            db.session.commit()
            db.session.remove()
        page.context.add_cookies([{"name": COOKIE, "value": token, "domain": "127.0.0.1", "path": COOKIE_PATH}])
        page.goto(f"{url}/farmer/")
    wait_for_js(page, "navigator.serviceWorker.controller !== null")
    page.reload()
    expect(page.locator("h1")).not_to_be_empty()
    return page.locator("h1").inner_text()


def another_sessions_end(app) -> tuple[int, str]:
    """A real endpoint that takes a plain form post: ending another of the farmer's sessions."""
    with app.app_context():
        other, _token = start_session(demo_household(app), "code", "Chrome Android")
        other_id = other.id
        db.session.commit()
        db.session.remove()
    return other_id, f"/farmer/sessions/{other_id}/end"


def eventually(page, script: str, timeout: float = 15.0):
    """Evaluate `script` (may return a promise) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(100)


@pytest.mark.browser
def test_a_page_seen_online_opens_offline_saying_when_it_was_saved(phone, farm):
    url, app, _posts, _slow = farm
    heading = signed_in_and_controlled(phone, url, app, through_the_pages=True)
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("h1")).to_have_text(heading)
    notice = phone.locator("#farmer-offline")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_have_text(re.compile(r"^Không có kết nối mạng — đang xem bản đã lưu lúc " + CLOCK))
    expect(phone.locator("header")).to_have_css("background-color", "rgb(11, 107, 58)")  # farmer.css kept too

    phone.goto(f"{url}/farmer/orders")  # never opened: the offline page
    expect(phone.get_by_role("heading", level=1)).to_have_text("Không có kết nối mạng")
    expect(phone.get_by_text("Trang này chưa được lưu trên điện thoại")).to_be_visible()
    phone.context.set_offline(False)


@pytest.mark.browser
def test_a_page_the_network_is_slow_to_answer_opens_from_the_saved_copy(phone, farm):
    url, app, _posts, slow = farm
    heading = signed_in_and_controlled(phone, url, app)
    slow.add("/farmer/")
    try:
        started = time.monotonic()
        phone.reload()
        notice = phone.locator("#farmer-offline")
        expect(notice).to_have_text(re.compile(r"^Mạng chậm — đang xem bản đã lưu lúc " + CLOCK))
        expect(phone.locator("h1")).to_have_text(heading)
        assert time.monotonic() - started < 6  # the copy after 4 s, not the answer after 6
    finally:
        slow.clear()


QUEUE_FORM = """([action, field, value]) => {
  document.querySelector('main').insertAdjacentHTML('beforeend', `
    <p>Tồn kho: <span id="figure">41</span></p>
    <form id="queued" method="post" action="${action}" data-offline-queue data-offline-figure="#figure">
      <input type="hidden" name="csrf_token" value="stale-token">
      <input type="hidden" name="change_id" value="rendered-change-id">
      ${field === 'delta' ? '' : `<input name="${field}" value="${value}">`}
      <button type="submit" ${field === 'delta' ? `name="delta" value="${value}"` : ''}>Lưu</button>
    </form>`);
}"""

RAW_QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('farmer');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('queue').objectStore('queue').getAll();
    get.onsuccess = () => { open.result.close(); resolve(get.result); };
  };
})"""


@pytest.mark.browser
def test_a_change_made_offline_is_kept_on_the_phone_and_sent_once_back_online(phone, farm):
    url, app, posts, _slow = farm
    signed_in_and_controlled(phone, url, app)
    other_id, target = another_sessions_end(app)
    phone.evaluate(QUEUE_FORM, [target, "delta", "1"])
    phone.context.set_offline(True)
    phone.click("#queued button")

    expect(phone.locator("#farmer-status")).to_have_attribute("role", "status")
    expect(phone.locator("#farmer-status")).to_have_text("Đã lưu thay đổi, sẽ gửi khi có mạng")
    expect(phone.locator("#figure")).to_have_text("42")  # shown at once
    assert phone.url == f"{url}/farmer/"  # nothing was posted
    [entry] = phone.evaluate(RAW_QUEUE)
    assert entry["url"] == url + target and entry["fields"]["delta"] == "1"
    assert UUID.fullmatch(entry["change_id"]) and entry["fields"]["change_id"] == entry["change_id"]
    assert phone.evaluate("FarmerQueue.flush()") == {"sent": 0, "refused": 0, "kept": 1}  # still offline
    assert len(phone.evaluate("FarmerQueue.list()")) == 1 and not [p for p in posts if p[0] == target]

    phone.context.set_offline(False)  # the "online" event sends it
    assert eventually(phone, "FarmerQueue.list().then(all => all.length === 0)")
    expect(phone.locator("#farmer-status")).to_have_text("")  # "saved, will be sent" is gone
    sent = [p for p in posts if p[0] == target]
    assert len(sent) == 1, sent
    assert sent[0][1] == entry["change_id"] and sent[0][2] != "stale-token"  # same change, a fresh token
    with app.app_context():
        assert db.session.get(FarmerSession, other_id).ended_at is not None
        db.session.remove()
    phone.reload()  # and never again
    phone.wait_for_timeout(500)
    assert len([p for p in posts if p[0] == target]) == 1


@pytest.mark.browser
def test_a_change_the_server_refuses_is_said_and_not_sent_again(phone, farm):
    url, app, posts, _slow = farm
    signed_in_and_controlled(phone, url, app)
    target = "/farmer/products/999999/stock"
    phone.evaluate(QUEUE_FORM, [target, "stock", "5"])
    phone.context.set_offline(True)
    phone.click("#queued button")
    expect(phone.locator("#figure")).to_have_text("5")
    phone.context.set_offline(False)

    refusal = phone.get_by_role("alert")
    expect(refusal).to_contain_text("Thay đổi không được chấp nhận: ")
    assert eventually(phone, "FarmerQueue.list().then(all => all.length === 0)")
    assert len([p for p in posts if p[0] == target]) == 1
    phone.reload()  # the refusal stays until the farmer has read it
    expect(phone.get_by_role("alert")).to_contain_text("Thay đổi không được chấp nhận")
    phone.get_by_role("button", name="Đã hiểu").click()
    expect(phone.get_by_role("alert")).to_have_count(0)
    assert phone.evaluate("FarmerQueue.refused()") == []


@pytest.mark.browser
def test_a_change_whose_post_fails_on_the_way_is_queued_by_the_worker(phone, farm):
    """The phone believes it is online (a signal but no data): the form posts, the network fails,
    the worker keeps the change and shows the farmer the saved page."""
    url, app, posts, _slow = farm
    signed_in_and_controlled(phone, url, app)
    other_id, target = another_sessions_end(app)
    phone.evaluate(QUEUE_FORM, [target, "delta", "-1"])
    phone.context.set_offline(True)
    phone.evaluate("Object.defineProperty(navigator, 'onLine', {get: () => true})")
    phone.click("#queued button")

    expect(phone.locator("#farmer-offline")).to_contain_text("Không có kết nối mạng")  # the saved page
    expect(phone.locator("#farmer-status")).to_have_text("Đã lưu thay đổi, sẽ gửi khi có mạng")
    [entry] = phone.evaluate(RAW_QUEUE)
    assert entry["url"] == url + target and UUID.fullmatch(entry["change_id"])
    phone.context.set_offline(False)
    assert eventually(phone, "FarmerQueue.list().then(all => all.length === 0)")
    assert [p[1] for p in posts if p[0] == target] == [entry["change_id"]]
    with app.app_context():
        assert db.session.get(FarmerSession, other_id).ended_at is not None
        db.session.remove()


@pytest.mark.browser
def test_one_more_tapped_offline_on_my_products_is_applied_once_back_online(phone, farm):
    """Issue 13's must-show on the real page: the "+" tapped with no connection shows at once, is
    kept on the phone, and once the connection returns the stock is one more, not two."""
    from connector.catalogue.models import Product
    from connector.catalogue.services import create_product
    from tests.factories import make_user, photo_bytes, product_input

    url, app, posts, _slow = farm
    with app.app_context():
        household = demo_household(app)
        product = create_product(make_user("agent", province_code=household.province_code), household.id,
                                 product_input(status="active", name="Mật ong bạc hà", stock=7),
                                 [photo_bytes(600, 400, with_gps=False)])
        product_id = product.id
        db.session.commit()
        db.session.remove()
    signed_in_and_controlled(phone, url, app)
    phone.goto(f"{url}/farmer/products")
    phone.reload()  # through the worker: kept for offline
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#farmer-offline")).to_be_visible()  # the last page seen, offline
    phone.click(f"#product-{product_id} button:has-text('Thêm một')")
    expect(phone.locator("#farmer-status")).to_have_text("Đã lưu thay đổi, sẽ gửi khi có mạng")
    expect(phone.locator(f"#product-{product_id} [data-stock]")).to_have_text("8")
    path = f"/farmer/products/{product_id}/stock"
    assert not [p for p in posts if p[0] == path]

    phone.context.set_offline(False)
    assert eventually(phone, "FarmerQueue.list().then(all => all.length === 0)")
    phone.reload()
    phone.wait_for_timeout(500)
    with app.app_context():
        assert db.session.get(Product, product_id).stock == 8  # applied once
        db.session.remove()
    assert len([p for p in posts if p[0] == path]) == 1
    expect(phone.locator(f"#product-{product_id} [data-stock]")).to_have_text("8")
