import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from connector.i18n import format_day, format_moment, format_number, format_vnd

ROOT = Path(__file__).resolve().parents[2]


def test_vnd_numbers_and_dates_read_the_vietnamese_way(app):
    with app.test_request_context("/"):
        assert format_vnd(150000) == "150.000\u00a0₫"
        assert format_vnd(1_250_000_000) == "1.250.000.000\u00a0₫"
        assert format_number(1234567) == "1.234.567"
        assert format_day(date(2026, 11, 22)) == "22/11/2026"
        # Stored in UTC, shown on Vietnam's clock (UTC+7).
        assert format_moment(datetime(2026, 11, 22, 17, 30, tzinfo=UTC)) == "00:30 23/11/2026"


def test_english_formats_when_english_is_chosen(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        from flask_babel import refresh

        refresh()
        assert format_vnd(150000) == "₫150,000"


def forms(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    """Extract the messages from the code now and compare with the Vietnamese catalog."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "translations/babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(template), "."],
        cwd=ROOT, check=True,
    )
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    # Plural entries have a tuple id and a tuple of forms (Vietnamese has one).
    with (ROOT / "translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = {m.id: m for m in read_po(handle) if m.id}
    untranslated = sorted(
        msgid for msgid in wanted
        if msgid not in catalog or not all(forms(catalog[msgid].string)) or catalog[msgid].fuzzy
    )
    assert untranslated == []
    placeholder = re.compile(r"%\(\w+\)s")
    for msgid in wanted:  # a translation must keep every %(placeholder)s of its source
        source = " ".join(forms(msgid))
        for translation in forms(catalog[msgid].string):
            assert set(placeholder.findall(source)) == set(placeholder.findall(translation)), msgid
