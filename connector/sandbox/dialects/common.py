"""The operations both dialects offer; each dialect wraps them in its own paths and envelope."""

from __future__ import annotations

from dataclasses import asdict

from flask import g

from connector.sandbox.app import sandbox


def market(name: str):
    """The market of the account this request speaks for (a provincial shop, or the national one)."""
    return g.get("market") or sandbox().markets[name]


def product_view(product) -> dict:
    data = asdict(product)
    data.pop("created_at")
    return data


def create(name: str, payload: dict) -> dict:
    missing = [key for key in ("seller_sku", "name", "price", "stock", "category_id") if key not in payload]
    if missing:
        raise ValueError(f"missing: {', '.join(missing)}")
    return product_view(market(name).create_product(payload))


def find_by_sku(name: str, sku: str) -> list[dict]:
    m = market(name)
    with m.lock:
        return [product_view(p) for p in m.products.values() if p.seller_sku == sku]


def get(name: str, product_id: str) -> dict | None:
    product = market(name).products.get(product_id)
    return product_view(product) if product else None


def update_price_stock(name: str, product_id: str, price, stock) -> dict | None:
    m = market(name)
    with m.lock:
        product = m.products.get(product_id)
        if product is None:
            return None
        if price is not None:
            product.price = int(price)
        if stock is not None:
            product.stock = int(stock)
        product.version += 1
        return product_view(product)


def update_images(name: str, product_id: str, image_ids) -> dict | None:
    """Replace a listing's images with uploaded ones (an image id never uploaded is refused)."""
    m = market(name)
    with m.lock:
        if not isinstance(image_ids, list) or any(image_id not in m.images for image_id in image_ids):
            raise ValueError("image_ids must be ids of uploaded images")
        product = m.products.get(product_id)
        if product is None:
            return None
        product.image_ids = list(image_ids)
        product.version += 1
        return product_view(product)


def set_listed(name: str, product_id: str, listed: bool) -> dict | None:
    m = market(name)
    with m.lock:
        product = m.products.get(product_id)
        if product is None:
            return None
        if listed and product.status == "DELISTED":
            product.status = "LIVE"
        elif not listed and product.status in ("LIVE", "REVIEWING"):
            product.status = "DELISTED"
        product.version += 1
        m.emit("product.status", m.product_event_data(product))
        return product_view(product)


def upload_image(name: str, data: bytes) -> str:
    m = market(name)
    with m.lock:
        image_id = m.new_id("IMG")
        m.images[image_id] = len(data)
    return image_id


def events_since(name: str, cursor: int, limit: int) -> tuple[list[dict], int]:
    m = market(name)
    with m.lock:
        chosen = [e for e in m.events if e.sequence > cursor][:limit]
    payload = [{"event_id": e.id, "type": e.type, "sequence": e.sequence, "occurred_at": e.occurred_at,
                "data": e.data} for e in chosen]
    return payload, (chosen[-1].sequence if chosen else cursor)
