"""One adapter per marketplace behind one interface (see base.py)."""

from __future__ import annotations

from flask import current_app

from connector.marketplaces.adapters.base import MarketplaceAdapter


def adapter_for(marketplace: str) -> MarketplaceAdapter:
    """The adapter for `marketplace`, configured from MARKETPLACES (base URLs, credentials)."""
    from connector.marketplaces.adapters.postmart import PostMartAdapter
    from connector.marketplaces.adapters.voso import VoSoAdapter

    classes = {"postmart": PostMartAdapter, "voso": VoSoAdapter}
    cache = current_app.extensions.setdefault("connector.adapters", {})
    if marketplace not in cache:
        cache[marketplace] = classes[marketplace](current_app.config["MARKETPLACES"][marketplace])
    return cache[marketplace]
