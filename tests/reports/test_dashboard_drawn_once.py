"""The dashboard is drawn once per change of its figures (issue 15, load): a second look reads no
summary rows and draws no map, yet new figures and changed targets show at once, each officer keeps
their own form token, and each language its own words."""

from __future__ import annotations

import re

from connector.extensions import db
from connector.reports.summaries import refresh_all
from tests.factories import HAI_LANG, make_household, make_user
from tests.helpers import csrf_token_from, selects_for
from tests.reports.helpers import signed_in


def hai_lang_row(page: str) -> str:
    table = page.split('<table class="breakdown">')[1]
    return re.search(r'<tr>\s*<th scope="row"><a class="tap" href="[^"]+">Xã Hải Lăng</a></th>(.*?)</tr>', table,
                     re.S).group(1)


def test_a_second_look_reads_only_what_says_whether_the_figures_changed(app, province):
    client, _user = signed_in(app, "officer")
    first = selects_for(client, "/reports")
    again = selects_for(client, "/reports")
    # The first look reads the summary rows, the targets, the trend and the map's communes; the
    # second only the session's user, the figures' version and the filter's lists.
    assert first >= 12 and again <= 5, (first, again)


def test_new_figures_show_once_the_worker_has_recounted(app, province):
    client, _user = signed_in(app, "officer")
    assert ">3<" in hai_lang_row(client.get("/reports").get_data(as_text=True))
    make_household(make_user("agent", province_code="44"), head_name="Hộ Hải Lăng D")
    db.session.commit()
    refresh_all()  # the worker's recount, a few seconds later
    db.session.commit()
    row = hai_lang_row(client.get("/reports").get_data(as_text=True))
    assert ">4<" in row and "66,7 %" in row  # 4 of the target 6


def test_a_target_saved_by_the_officer_shows_at_once(app, province):
    client, _user = signed_in(app, "officer")
    assert "50 %" in hai_lang_row(client.get("/reports").get_data(as_text=True))  # 3 of 6
    from connector.clock import vietnam_today

    year = vietnam_today().year
    form = client.get(f"/reports/targets?year={year}").get_data(as_text=True)
    answer = client.post(f"/reports/targets?year={year}", data={
        "csrf_token": csrf_token_from(form), "year": str(year), f"agricultural-{HAI_LANG}": "10",
        f"target-{HAI_LANG}": "3"})
    assert answer.status_code == 302
    assert "100 %" in hai_lang_row(client.get("/reports").get_data(as_text=True))  # 3 of 3


def test_each_officer_keeps_their_own_form_token_and_language(app, province):
    first, _ = signed_in(app, "officer")
    second, _ = signed_in(app, "officer")
    one, two = first.get("/reports").get_data(as_text=True), second.get("/reports").get_data(as_text=True)
    assert csrf_token_from(one) != csrf_token_from(two)
    second.post("/language", data={"csrf_token": csrf_token_from(two), "language": "en", "next": "/reports"})
    english = second.get("/reports").get_data(as_text=True)
    assert "Why the marketplaces refuse listings" in english and "Vì sao" not in english
    assert "Why the marketplaces refuse listings" not in first.get("/reports").get_data(as_text=True)
