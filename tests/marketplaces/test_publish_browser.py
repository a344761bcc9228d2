"""Issue 4's browser test: an agent publishes a product to both marketplaces and sees it go live."""

import pytest
from sqlalchemy import select

from connector.auth.models import User
from connector.extensions import db
from tests.factories import PASSWORD
from tests.marketplaces.test_publishing import make_products

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("committed")]


def test_agent_publishes_and_sees_both_marketplaces_go_live(app, connector_url, sandbox, workers, phone):
    workers.ensure(1)
    ids, agent_id = make_products(app, 1)
    with app.app_context():
        username = db.session.scalar(select(User.username).where(User.id == agent_id))
        db.session.remove()
    phone.goto(f"{connector_url}/login")
    phone.get_by_label("Tên đăng nhập").fill(username)
    phone.get_by_label("Mật khẩu").fill(PASSWORD)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.goto(f"{connector_url}/products/{ids[0]}/edit")
    phone.get_by_role("button", name="Đăng lên sàn").click()
    assert phone.get_by_text("Đã gửi lên sàn. Trạng thái sẽ tự cập nhật.").is_visible()
    for _ in range(60):
        badges = [phone.locator(f'.listings [data-marketplace="{name}"]').inner_text() for name in ("postmart", "voso")]
        if badges == ["Đang bán", "Đang bán"]:
            break
        phone.wait_for_timeout(500)
        phone.reload()
    assert badges == ["Đang bán", "Đang bán"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
