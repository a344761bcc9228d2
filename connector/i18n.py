"""Locale selection and vi_VN formatting helpers (money, numbers, dates), also as Jinja filters."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale, get_translations
from num2words import num2words

LANGUAGE_SESSION_KEY = "lang"


def select_locale() -> str:
    """The language the person chose (language switch), else Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if request:
        chosen = session.get(LANGUAGE_SESSION_KEY)
        if chosen in languages:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def request_translations():
    """This request's catalogue, looked up once. flask-babel finds it again for every string (the
    locale, its name, the domain, each through Flask's context proxies): a farmer's page with 19
    strings spent a tenth of its time there (issue 15's load profile). It is kept where flask-babel's
    own `refresh()` clears it, so switching language mid-request still takes effect."""
    namespace = g.get("_flask_babel")
    translations = getattr(namespace, "babel_translations", None)
    if translations is None:
        translations = get_translations()  # makes the namespace when there was none
        namespace = g.get("_flask_babel")
        if namespace is not None:
            namespace.babel_translations = translations
    return translations


def template_gettext(string: str) -> str:
    """Jinja's `_()` and `gettext()` (its newstyle wrapper escapes and fills in the variables)."""
    return request_translations().ugettext(string)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return request_translations().ungettext(singular, plural, n)


def format_vnd(amount: int | None) -> str:
    """150000 -> "150.000 ₫" in Vietnamese (a no-break space keeps the symbol on the line).

    VND has no minor unit: amounts are integers and never shown with decimals.
    """
    if amount is None:
        return ""
    return format_currency(int(amount), "VND")


def vnd_in_words(amount: int | None) -> str:
    """150000 -> "một trăm năm mươi nghìn đồng": said before money is confirmed, for readers who
    check an amount by its words (num2words knows Vietnamese: "lẻ", "mốt", "tỷ")."""
    if amount is None:
        return ""
    language = current_language()
    words = num2words(int(amount), lang="vi" if language == "vi" else "en")
    return f"{words} đồng" if language == "vi" else f"{words} dong"


def format_number(value) -> str:
    """1234567 -> "1.234.567" in Vietnamese."""
    return "" if value is None else format_decimal(value)


def format_day(value: date | datetime | None, style: str = "short") -> str:
    """22/11/2026 in Vietnamese ('short'); 'long' gives "22 tháng 11, 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy" if style == "short" else "long")
    return format_date(value, "dd/MM/yyyy" if style == "short" else "long")


def format_moment(value: datetime | None) -> str:
    """A timestamp in Vietnam's time zone: "14:05 22/11/2026"."""
    return "" if value is None else format_datetime(value, "HH:mm dd/MM/yyyy")


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app) -> None:
    app.jinja_env.filters.update(
        vnd=format_vnd, vnd_words=vnd_in_words, number=format_number, day=format_day, moment=format_moment
    )
    app.jinja_env.globals["current_language"] = current_language
    # In place of what Babel.init_app installed: the same strings, found once per request.
    app.jinja_env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)
