"""Real Chromium (Debian's package) driven by Playwright against the app served over real HTTP."""

from __future__ import annotations

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


