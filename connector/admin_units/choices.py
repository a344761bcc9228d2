"""A province's communes as the options of a <select> (the household list's filter, the household
form). The load profile of issue 15 found the list page spending a good part of its time on them: a
query and some 500 template steps for Quảng Trị's ~80 communes, on every page, for a list that
changes only when `admin-units sync` runs at a release. So each web process keeps them, already
written as HTML, for a few minutes (per app, so the test suite's many databases never share them)."""

from __future__ import annotations

import time
from typing import NamedTuple

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from connector.admin_units.models import Commune
from connector.extensions import db

KEEP_SECONDS = 300  # a sync at release time reaches running processes within this
_CACHE = "commune_choices"
_OPTION = Markup('<option value="%s"%s>%s</option>')  # Markup's % escapes what it is given


class ProvinceCommunes(NamedTuple):
    # Each commune's <option> by name and by short name: (code, as written, as written selected).
    by_name: tuple[tuple[str, Markup, Markup], ...]
    by_short_name: tuple[tuple[str, Markup, Markup], ...]

    def options(self, selected: str | None, short: bool = False) -> Markup:
        """The <option>s, `selected` marked."""
        written = self.by_short_name if short else self.by_name
        return Markup("").join(marked if code == selected else plain for code, plain, marked in written)

    def __bool__(self) -> bool:
        return bool(self.by_name)


NONE = ProvinceCommunes((), ())


def _written(rows, short: bool) -> tuple[tuple[str, Markup, Markup], ...]:
    return tuple((code, *(_OPTION % (code, mark, short_name if short else name) for mark in ("", " selected")))
                 for code, name, short_name in rows)


def province_communes(province_code: str) -> ProvinceCommunes:
    """The province's communes by short name, read at most every KEEP_SECONDS by this process."""
    cache = current_app.extensions.setdefault(_CACHE, {})
    kept = cache.get(province_code)
    now = time.monotonic()
    if kept is None or kept[0] <= now:
        rows = db.session.execute(select(Commune.code, Commune.name, Commune.short_name)
                                  .where(Commune.province_code == province_code).order_by(Commune.short_name)).all()
        kept = cache[province_code] = (now + KEEP_SECONDS,
                                       ProvinceCommunes(_written(rows, False), _written(rows, True)))
    return kept[1]


def forget() -> None:
    """After a sync in this process (the CLI, tests): the next page reads the new list."""
    current_app.extensions.pop(_CACHE, None)
