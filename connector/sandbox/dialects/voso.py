"""VoSo style (Viettel Post partner API): Token header, envelope {status, error, message, data},
and errors that arrive with HTTP 200 and "error": true."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from connector.sandbox.app import check_signature, choose_account, inject_faults, sandbox
from connector.sandbox.dialects import common

NAME = "voso"
bp = Blueprint("sandbox_voso", __name__, url_prefix="/voso/api")


def ok(data=None, message="OK"):
    return jsonify(status=200, error=False, message=message, data=data)


def fail(status: int, message: str, http_status: int = 200, headers=None):
    # VoSo answers most errors with HTTP 200 and the real status in the body.
    return jsonify(status=status, error=True, message=message, data=None), http_status, headers or {}


@bp.before_request
def guard():
    g.dialect = NAME
    logging_in = request.endpoint == "sandbox_voso.login"
    body = (request.get_json(silent=True) or {}) if logging_in else {}
    token = request.headers.get("Token")
    credentials = choose_account(NAME, lambda cred, market: cred["username"] == body.get("USERNAME")
                                 if logging_in else token in market.tokens)
    if not check_signature(credentials["signing_secret"]):
        return fail(401, "Sai chữ ký", http_status=401)
    if logging_in:
        return None
    if not common.market(NAME).token_valid(token):
        return fail(401, "Token đã hết hạn")
    fault = inject_faults(write=request.method != "GET")
    if fault:
        status, headers, kind = fault
        if kind == "error_on_200":
            return fail(500, "Hệ thống đang bận, vui lòng thử lại")
        return fail(status, "Hệ thống đang bận", http_status=status, headers=headers)
    return None


@bp.post("/user/Login")
def login():
    body = request.get_json(silent=True) or {}
    credentials = g.credentials
    if (body.get("USERNAME"), body.get("PASSWORD")) != (credentials["username"], credentials["password"]):
        return fail(401, "Sai tài khoản hoặc mật khẩu")
    value, expires = common.market(NAME).issue_token(sandbox().faults.token_ttl_seconds)
    return ok({"token": value, "expired": expires})


@bp.get("/categories")
def categories():
    return ok(common.market(NAME).categories)


@bp.post("/images")
def images():
    upload = request.files.get("image")
    data = upload.read() if upload else b""
    if len(data) < 100 or not data.startswith(b"\xff\xd8"):
        return fail(422, "Ảnh không hợp lệ")
    return ok({"IMAGE_ID": common.upload_image(NAME, data)})


def _to_common(body: dict) -> dict:
    return {"seller_sku": body.get("SELLER_SKU"), "name": body.get("PRODUCT_NAME"), "price": body.get("PRICE"),
            "stock": body.get("QUANTITY"), "category_id": body.get("CATEGORY_ID"),
            "image_ids": body.get("IMAGES") or [], "description": body.get("DESCRIPTION", "")}


def _from_common(product: dict) -> dict:
    return {"PRODUCT_ID": product["id"], "SELLER_SKU": product["seller_sku"], "PRODUCT_NAME": product["name"],
            "PRICE": product["price"], "QUANTITY": product["stock"], "STATUS": product["status"],
            "REASON": product["reason"], "VERSION": product["version"], "IMAGES": product["image_ids"]}


@bp.post("/products")
def create_product():
    body = {k: v for k, v in _to_common(request.get_json(force=True)).items() if v is not None}
    try:
        return ok(_from_common(common.create(NAME, body)))
    except (ValueError, TypeError) as error:
        return fail(422, f"Dữ liệu không hợp lệ: {error}")


@bp.get("/products")
def find_products():
    return ok([_from_common(p) for p in common.find_by_sku(NAME, request.args.get("SELLER_SKU", ""))])


@bp.get("/products/<product_id>")
def get_product(product_id: str):
    product = common.get(NAME, product_id)
    return ok(_from_common(product)) if product else fail(404, "Không tìm thấy sản phẩm")


@bp.post("/products/<product_id>/update")
def update(product_id: str):
    body = request.get_json(force=True)
    product = common.update_price_stock(NAME, product_id, body.get("PRICE"), body.get("QUANTITY"))
    return ok(_from_common(product)) if product else fail(404, "Không tìm thấy sản phẩm")


@bp.post("/products/<product_id>/images")
def images_of(product_id: str):
    try:
        product = common.update_images(NAME, product_id, (request.get_json(force=True) or {}).get("IMAGES"))
    except ValueError as error:
        return fail(422, f"Ảnh không hợp lệ: {error}")
    return ok(_from_common(product)) if product else fail(404, "Không tìm thấy sản phẩm")


@bp.post("/products/<product_id>/<action>")
def listing(product_id: str, action: str):
    if action not in ("hide", "show"):
        return fail(404, "Không có thao tác này")
    product = common.set_listed(NAME, product_id, action == "show")
    return ok(_from_common(product)) if product else fail(404, "Không tìm thấy sản phẩm")


@bp.get("/events")
def events():
    items, cursor = common.events_since(NAME, request.args.get("cursor", 0, type=int),
                                        min(request.args.get("limit", 100, type=int), 500))
    return ok({"events": items, "next_cursor": cursor})
