"""Every page each role can reach, in real Chromium on a 360×640 phone (issue 11, "checks that keep
it so"): no page answers 5xx or logs a console error, none is wider than the screen, every tappable
element is at least 44×44 CSS px, no English is left on the Vietnamese pages, axe-core finds no
serious or critical violation, and with JavaScript off the same pages still load and work.

The crawl runs against an app of its own, on a database of its own filled with what a working day
leaves (a household with a product on sale and published, an order with its pickup, shipment and
payment), so it sees the pages as users do and leaves the shared test database untouched.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from urllib.parse import urljoin, urlparse

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from connector import create_app
from connector.admin_units.services import sync_admin_units
from connector.extensions import db
from connector.households.models import Household
from connector.households.validation import clean_phone
from connector.seed import DEMO_USERS, seed_demo
from tests.browser.conftest import ARTIFACTS
from tests.e2e import serve
from tests.factories import household_input, photo_bytes, product_input
from tests.farmers.helpers import last_code

pytestmark = pytest.mark.browser

MAX_PAGES_PER_ROLE = 60
WORKING_FARMER_PHONE = "0935 246 810"  # the working day's household: a product on sale and an order
# Links that leave the pages or act: downloads, images, the API, signing out, other sites.
SKIPPED = re.compile(r"^/(api/|static/|media/|qr/|logout)|\.(csv|xlsx|png|svg|json)$")
# Short English words that no Vietnamese sentence contains; brand and standard names (PostMart,
# VoSo, VietQR, OCOP, COD) are not in the list, nor words Vietnamese shares ("an", "in", "to").
ENGLISH = re.compile(r"\b(the|and|of|is|for|with|your|this|not|are|or|was|on|by|be|at|from|"
                     r"page|order|orders|product|products|household|households|payment|status|save|back|"
                     r"next|new|edit|delete|search|sign|out|settings)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def working_day(tmp_path_factory, app_config):
    """An app on a database of its own with a day's work in it; returns (url, app)."""
    folder = tmp_path_factory.mktemp("crawl")
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'crawl.sqlite3'}",
                      "MEDIA_ROOT": str(folder / "media"), "INSTANCE_DIR": str(folder)})
    with app.app_context():
        upgrade()
        sync_admin_units()
        fill_a_working_day()
        db.session.commit()
        db.session.remove()
    url, stop = serve(app)
    yield url, app
    stop()
    with app.app_context():
        db.engine.dispose()


def fill_a_working_day() -> None:
    from connector.auth.models import User
    from connector.catalogue.services import create_product
    from connector.households.services import create_household
    from connector.logistics.generator import generate_points
    from connector.logistics.models import Shipment
    from connector.logistics.services import assign_pickup
    from connector.marketplaces.services import publish_product
    from connector.orders.models import PayBy
    from connector.orders.services import IncomingItem, IncomingOrder, take_in

    generate_points("44")
    seed_demo()
    agent = db.session.query(User).filter_by(username="buudien.hailang").one()
    household, _ = create_household(agent, household_input(head_name="Hoàng Văn Đức", phone=WORKING_FARMER_PHONE),
                                    confirm_duplicates=True)
    product = create_product(agent, household.id, product_input(
        status="active", name="Mật ong rừng", ocop_stars=4, ocop_certificate_no="QT-OCOP-2026-01",
        ocop_province_code="44", ocop_issued_on=date(2025, 12, 1).isoformat(),
        ocop_expires_on=date(2028, 12, 31).isoformat()),
        [photo_bytes(600, 400, with_gps=False)])
    create_product(agent, household.id, product_input(name="Gạo Hải Lăng"))  # a draft
    publish_product(agent, product)
    order = take_in(IncomingOrder(source="postmart", remote_order_id="O-CRAWL-1", status="CREATED", total_vnd=70000,
                                  pay_by=PayBy.TRANSFER,
                                  items=(IncomingItem(f"CN-{product.id}", product.id, 2, 35000),),
                                  buyer_name="Trần Thị Mua", buyer_phone="0987000111",
                                  buyer_address="12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh"))
    pickup = assign_pickup(order)
    db.session.add(Shipment(order_id=order.id, remote_id="SH-1", tracking_code="EB000000001VN", mode="dropoff",
                            post_office_code=pickup.service_point.code if pickup.service_point else None,
                            cod_amount=70000, status="booked"))
    db.session.flush()


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


PAGE_CHECKS = """(minimum) => {
  const small = [], rects = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    // A check box is tapped through the label around it.
    const target = ['checkbox', 'radio'].includes(el.type) && el.closest('label') ? el.closest('label') : el;
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (el.closest('.skip-tap-check')) continue;
    const name = (el.textContent || el.name || el.type || '').trim().slice(0, 30);
    rects.push([box, name, el.closest('nav') ? 'menu' : 'page']);
    if (box.width >= minimum && box.height >= minimum) continue;
    small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
  }
  // Targets closer than 8 px to each other (one inside the other, a field in its label, is fine).
  const close = [];
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
    const [a, an, ag] = rects[i], [b, bn, bg] = rects[j];
    if (ag !== bg) continue;  // the fixed menu and the page scrolling under it are not side by side
    const dx = Math.max(b.left - a.right, a.left - b.right), dy = Math.max(b.top - a.bottom, a.top - b.bottom);
    if (dx < 0 && dy < 0) continue;
    if (Math.max(dx, dy) < 7.5) close.push(`"${an}" / "${bn}" ${Math.round(Math.max(dx, dy))} px apart`);
  }
  return {width: document.documentElement.scrollWidth, small: small, close: close, text: document.body.innerText,
          links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))};
}"""


def sign_in_farmer(page, url: str, app) -> None:
    """The demo farmer signs in with the household's phone and the code the SMS would carry."""
    page.goto(f"{url}/farmer/sign-in")
    page.fill("#phone", WORKING_FARMER_PHONE)
    page.click("form button.primary")
    page.wait_for_url(f"{url}/farmer/sign-in/code")
    with app.app_context():
        household = db.session.scalar(select(Household).where(Household.phone == clean_phone(WORKING_FARMER_PHONE)))
        code = last_code(app, household)
        db.session.remove()
    page.fill("#code", code)
    page.click("form button.primary")
    page.wait_for_url(f"{url}/farmer/")


def crawl(browser, url: str, username: str, password: str, javascript: bool = True, app=None,
          start: str = "/", farmer_rules: bool = False, width: int = 360,
          font_scale: float = 1.0) -> dict[str, list[str]]:
    """Problems found per page path, visiting every page linked from `start` onwards (signed in as
    `username`, or as the demo farmer when username is "farmer", or not at all when it is None)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 640}, is_mobile=True, has_touch=True,
                                  locale="vi-VN", java_script_enabled=javascript)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    if username == "farmer":
        sign_in_farmer(page, url, app)
    elif username:
        sign_in(page, url, username, password)
    axe = Axe()
    # One visit per path: /pickups?date=... for every day of a month is the same page.
    seen, queue, problems = {start}, deque([start]), {}
    host = urlparse(url).netloc
    while queue and len(seen) <= MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        console.clear()
        response = page.goto(urljoin(url, path))
        found = []
        if response is None or response.status >= 500:
            found.append(f"answered {response.status if response else 'nothing'}")
        if font_scale != 1.0:  # the phone's font size setting at 200%
            # Through the CSSOM, as the phone's setting would: a <style> tag is refused by the pages' policy.
            page.evaluate("scale => document.documentElement.style.setProperty('font-size', scale, 'important')",
                          f"{100 * font_scale}%")
        facts = page.evaluate(PAGE_CHECKS, 48 if farmer_rules else 44)
        if facts["width"] > width:
            found.append(f"{facts['width']} px wide")
        found += [f"small to tap: {entry}" for entry in facts["small"]]
        if farmer_rules:
            found += [f"too close: {entry}" for entry in facts["close"]]
        english = sorted({word.lower() for word in ENGLISH.findall(facts["text"])})
        if english:
            found.append(f"English words: {', '.join(english)}")
        if javascript:
            found += [f"console: {text[:120]}" for text in console]
            results = axe.run(page)
            found += [f"axe {v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
                      if farmer_rules or v["impact"] in ("serious", "critical")]
        if found:
            problems[path] = found
        if javascript:  # kept as test artifacts (not committed): every page as each role sees it
            shot = ARTIFACTS / "pages" / (username or "anonymous") / (
                path.strip("/").replace("/", "_").split("?")[0] or "home")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shot}.png", full_page=True)
        for href in facts["links"]:
            target = urlparse(urljoin(url + path, href))
            if target.netloc != host or SKIPPED.search(target.path):
                continue
            if target.path not in seen:
                seen.add(target.path)
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    context.close()
    return problems


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: " + "; ".join(found) for path, found in sorted(problems.items()))


@pytest.mark.parametrize("username,password,role", [(u, p, r) for u, p, r, *_ in DEMO_USERS],
                         ids=[role for _u, _p, role, *_ in DEMO_USERS])
def test_every_page_a_role_reaches_passes_on_a_phone(browser, working_day, username, password, role):
    url, _app = working_day
    problems = crawl(browser, url, username, password)
    assert not problems, "\n" + report(problems)


@pytest.mark.parametrize("username,password,role", [(u, p, r) for u, p, r, *_ in DEMO_USERS],
                         ids=[role for _u, _p, role, *_ in DEMO_USERS])
def test_every_page_loads_without_javascript(browser, working_day, username, password, role):
    url, _app = working_day
    problems = crawl(browser, url, username, password, javascript=False)
    assert not problems, "\n" + report(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("who,start", [("farmer", "/farmer/"), (None, "/farmer/sign-in")], ids=["farmer", "anonymous"])
def test_every_farmer_page_passes_on_a_phone(browser, working_day, who, start, javascript):
    url, app = working_day
    problems = crawl(browser, url, who, None, javascript=javascript, app=app, start=start, farmer_rules=True)
    assert not problems, "\n" + report(problems)


def test_farmer_pages_read_at_320_px_with_the_phones_font_at_200_percent(browser, working_day):
    url, app = working_day
    problems = crawl(browser, url, "farmer", None, app=app, start="/farmer/", farmer_rules=True, width=320,
                     font_scale=2.0)
    # At 200 % a 48 px button's words may wrap; what must hold is that nothing runs off the screen.
    problems = {path: [p for p in found if not p.startswith(("small to tap", "too close", "axe"))]
                for path, found in problems.items()}
    assert not any(problems.values()), "\n" + report(problems)
