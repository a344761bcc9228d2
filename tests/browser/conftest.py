"""Real Chromium (Debian's package) driven by Playwright against the app served over real HTTP."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from werkzeug.serving import make_server

from connector.audit.models import AuditEvent
from connector.auth.models import ApiToken, User
from connector.catalogue.models import Product, ProductPhoto
from connector.extensions import db
from connector.households.models import Household
from connector.seed import DEMO_USERS, seed_demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": browser tests may not skip in CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def live_server(app):
    """The app on a real port, with the demo staff committed; they and their data are removed after
    the module, so later tests see a clean database."""
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        remove_demo_data()
        db.session.commit()
        db.session.remove()


def remove_demo_data() -> None:
    """Everything the demo staff created in the browser tests, then the staff themselves."""
    usernames = [username for username, *_ in DEMO_USERS]
    users = select(User.id).where(User.username.in_(usernames)).scalar_subquery()
    households = select(Household.id).where(Household.onboarded_by_id.in_(users)).scalar_subquery()
    products = select(Product.id).where(Product.household_id.in_(households)).scalar_subquery()
    db.session.execute(delete(ProductPhoto).where(ProductPhoto.product_id.in_(products)))
    db.session.execute(delete(Product).where(Product.id.in_(products)))
    db.session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(users)))
    db.session.execute(delete(Household).where(Household.id.in_(households)))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id.in_(users)))
    db.session.execute(delete(User).where(User.id.in_(users)))


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A cheap Android phone's screen: 360x640."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
