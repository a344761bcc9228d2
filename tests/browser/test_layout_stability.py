"""Issue 11, finding 12: the household form does not move once it has appeared (Lighthouse measured
a layout shift of 0.155 as steps.js hid the steps after the first paint); without JavaScript every
step still shows."""

import time

import pytest

from tests.browser.test_onboarding_browser import sign_in

pytestmark = pytest.mark.browser

RECORD_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => list.getEntries().forEach(entry => {
  if (!entry.hadRecentInput) window.__shifts.push(
    [entry.value, entry.startTime, entry.sources.map(s => (s.node && s.node.outerHTML || "").slice(0, 60))]);
})).observe({type: "layout-shift", buffered: true});
"""


def arrive_late(route):
    """A phone's slow network: the page is painted before its script has arrived."""
    time.sleep(0.4)
    route.continue_()


@pytest.fixture
def tall_phone(browser):
    """Lighthouse's phone (412x823): on a 360x640 screen the step buttons are below the fold either
    way, here they come into view when the steps are hidden."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75,
                                  is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_household_form_does_not_move_after_it_appears(live_server, tall_phone):
    phone = tall_phone
    sign_in(phone, live_server)
    phone.add_init_script(RECORD_SHIFTS)
    phone.route("**/static/steps.js", arrive_late)
    phone.goto(f"{live_server}/households/new")
    phone.wait_for_load_state("load")
    phone.wait_for_timeout(500)
    shifts = phone.evaluate("window.__shifts")
    assert sum(value for value, *_ in shifts) < 0.01, shifts
    assert phone.get_by_label("Họ tên chủ hộ").is_visible()
    assert not phone.get_by_text("2. Địa chỉ và vị trí").is_visible()


def test_without_javascript_every_step_shows(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server}/households/new")
        for legend in ("1. Chủ hộ", "2. Địa chỉ và vị trí", "3. Tài khoản nhận tiền", "4. "):
            assert page.locator("legend", has_text=legend).first.is_visible(), legend
    finally:
        context.close()
