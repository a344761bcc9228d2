"""Where our categories go on each marketplace: defaults from the config (the sandbox's ids, outside
production only), admins' overrides in the database, the marketplace's own category list fetched and
cached in Redis."""

from __future__ import annotations

import contextlib
import json
import logging

from flask import current_app
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import delete, select

from connector.catalogue.choices import CATEGORIES
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.marketplaces import MARKETPLACES
from connector.marketplaces.adapters import adapter_for
from connector.marketplaces.models import CategoryMapping
from connector.redis_client import get_redis

log = logging.getLogger(__name__)


def default_categories(marketplace: str) -> dict[str, str]:
    """Where our categories go when no admin mapped them: the sandbox's ids in development, none in
    production (MARKETPLACE_CATEGORY_DEFAULTS, see connector/config.py)."""
    return current_app.config["MARKETPLACE_CATEGORY_DEFAULTS"].get(marketplace, {})


def remote_category(marketplace: str, category: str, override: str | None) -> str | None:
    """The marketplace's category id for ours: the admins' override (read with the listing, see
    `override_join`), else the default; None when neither exists (not mapped yet)."""
    return override or default_categories(marketplace).get(category)


def override_join(marketplace_column, category_column):
    """The join condition to an admin's override of a category, to read it in the same query."""
    return (CategoryMapping.marketplace == marketplace_column) & (CategoryMapping.category == category_column)


def current_mapping(marketplace: str) -> dict[str, str]:
    """Our category codes -> the marketplace's category ids; "" for a category not mapped."""
    defaults = default_categories(marketplace)
    overrides = dict(db.session.execute(select(CategoryMapping.category, CategoryMapping.remote_category_id)
                                        .where(CategoryMapping.marketplace == marketplace)).all())
    return {code: overrides.get(code) or defaults.get(code, "") for code in CATEGORIES}


def remote_categories(marketplace: str, refresh: bool = False) -> list[dict]:
    """The marketplace's categories [{id, name, parent_id}], from the cache or fetched (and cached).

    Raises RemoteError when the marketplace cannot be reached and nothing is cached.
    """
    key = f"connector:categories:{marketplace}"
    redis = get_redis()
    if not refresh:
        try:
            cached = redis.get(key)
            if cached:
                return json.loads(cached)
        except RedisError:
            log.warning("Redis unavailable: categories of %s fetched without cache", marketplace)
    fetched = adapter_for(marketplace).categories()
    with contextlib.suppress(RedisError):  # no cache this time
        redis.set(key, json.dumps(fetched), ex=current_app.config["CATEGORY_CACHE_SECONDS"])
    return fetched


def save_mapping(marketplace: str, chosen: dict[str, str], known_ids: set[str]) -> int:
    """Admins' mapping for one marketplace; every value must be one of the marketplace's categories.
    All or nothing. Returns how many of our categories now go somewhere else than before."""
    if marketplace not in MARKETPLACES:
        raise ValidationFailed(errors={"marketplace": [_("Unknown marketplace: %(name)s.", name=marketplace)]})
    errors = {}
    for code, remote_id in chosen.items():
        if code not in CATEGORIES:
            errors[code] = [_("Unknown category.")]
        elif remote_id not in known_ids:
            errors[code] = [_("The marketplace has no category %(id)s.", id=remote_id)]
    if errors:
        raise ValidationFailed(errors=errors)
    before = current_mapping(marketplace)
    defaults = default_categories(marketplace)
    db.session.execute(delete(CategoryMapping).where(CategoryMapping.marketplace == marketplace,
                                                     CategoryMapping.category.in_(list(chosen))))
    for code, remote_id in chosen.items():
        if remote_id != defaults.get(code):  # only overrides are stored
            db.session.add(CategoryMapping(marketplace=marketplace, category=code, remote_category_id=remote_id))
    db.session.flush()
    return sum(1 for code, remote_id in chosen.items() if before[code] != remote_id)
