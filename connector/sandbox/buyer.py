"""The buyer side of the sandbox: place orders and move them along (no marketplace auth)."""

from flask import Blueprint, abort, jsonify, request

from connector.sandbox.app import sandbox

bp = Blueprint("sandbox_buyer", __name__, url_prefix="/_sandbox/<marketplace>/orders")


@bp.post("")
def place(marketplace: str):
    market = sandbox().markets.get(marketplace) or abort(404)
    body = request.get_json(force=True)
    product_id = body.get("product_id") or market.by_sku.get(body.get("seller_sku", ""))
    try:
        order = market.place_order(product_id, int(body.get("quantity", 1)), body.get("buyer") or {},
                                   str(body.get("payment", "cod")))
    except (LookupError, ValueError) as error:
        return jsonify(error=str(error)), 409
    return jsonify(order), 201


@bp.post("/<order_id>/status")
def status(marketplace: str, order_id: str):
    market = sandbox().markets.get(marketplace) or abort(404)
    if order_id not in market.orders:
        abort(404)
    return jsonify(market.set_order_status(order_id, request.get_json(force=True)["status"]))
