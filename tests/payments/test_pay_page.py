"""The buyer's pay page (issue 11, finding 6): the amount comes first and largest, formatted the
Vietnamese way and in words; nothing shows it unformatted; the bank's name does not wrap on a phone."""

import re
import threading

import pytest

from tests.browser.conftest import ARTIFACTS


def test_the_amount_comes_first_formatted_and_in_words(client, make_order):
    order = make_order(total=1250000)
    html = client.get(f"/p/{order.code}").get_data(as_text=True)
    card = html[html.index('<section class="card pay">'):]
    first_text = re.sub(r"<[^>]+>", "\n", card[:card.index("<h1")]).split("\n")
    first_text = [text.strip() for text in first_text if text.strip()]
    assert first_text[:2] == ["1.250.000\u00a0₫", "một triệu hai trăm năm mươi nghìn đồng"]
    assert "1250000 ₫" not in html and ">1250000<" not in html  # never unformatted
    assert 'data-value="1250000"' in html  # what the copy button puts on the clipboard: digits only


@pytest.mark.browser
def test_the_amount_is_the_largest_text_and_the_bank_fits_on_a_phone(app, make_order, db_session, browser):
    from werkzeug.serving import make_server

    order = make_order(total=300000)
    db_session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page(viewport={"width": 360, "height": 640})
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/p/{order.code}")
        sizes = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.childElementCount === 0 && e.textContent.trim())
            .map(e => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])""")
        largest = max(sizes, key=lambda pair: pair[1])
        assert largest[0] == "300.000\u00a0₫"
        bank = page.locator("dd.bank")
        line = float(bank.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
        # Short name on one line, the full name under it in at most two (it took six in a narrow column).
        assert bank.bounding_box()["height"] <= 3.5 * line
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pay-page-360.png"), full_page=True)
    finally:
        page.close()
        server.shutdown()
