"""One adapter per marketplace behind one interface (see base.py)."""

from __future__ import annotations

from flask import current_app

from connector.marketplaces.adapters.base import MarketplaceAdapter


def adapter_for(marketplace: str, storefront: str = "") -> MarketplaceAdapter:
    """The adapter for `marketplace`, configured from MARKETPLACES (base URLs, credentials); with a
    `storefront` (a province code), that province's shop: its settings over the national ones."""
    from connector.marketplaces.adapters.postmart import PostMartAdapter
    from connector.marketplaces.adapters.voso import VoSoAdapter

    classes = {"postmart": PostMartAdapter, "voso": VoSoAdapter}
    cache = current_app.extensions.setdefault("connector.adapters", {})
    key = (marketplace, storefront)
    if key not in cache:
        settings = current_app.config["MARKETPLACES"][marketplace]
        if storefront:
            settings = {**settings, **settings["storefronts"][storefront]}
        cache[key] = classes[marketplace](settings)
    return cache[key]


def storefronts(marketplace: str) -> list[str]:
    """"" (the national account) and the province codes that have a shop of their own."""
    return ["", *current_app.config["MARKETPLACES"][marketplace].get("storefronts", {})]


def storefront_for(marketplace: str, province_code: str | None) -> str:
    return province_code if province_code in current_app.config["MARKETPLACES"][marketplace].get(
        "storefronts", {}) else ""
