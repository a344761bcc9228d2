"""PostMart style: paths under apis/v1/merchant, envelope {code, message, result}, Bearer tokens."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from connector.sandbox.app import check_signature, choose_account, inject_faults, sandbox
from connector.sandbox.dialects import common

NAME = "postmart"
bp = Blueprint("sandbox_postmart", __name__, url_prefix="/postmart/apis/v1/merchant")


def envelope(code: int, message: str, result=None, status: int | None = None, headers=None):
    return jsonify(code=code, message=message, result=result), status or code, headers or {}


@bp.before_request
def guard():
    g.dialect = NAME
    logging_in = request.endpoint == "sandbox_postmart.token"
    body = (request.get_json(silent=True) or {}) if logging_in else {}
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    credentials = choose_account(NAME, lambda cred, market: cred["client_id"] == body.get("client_id")
                                 if logging_in else token in market.tokens)
    if not check_signature(credentials["signing_secret"]):
        return envelope(401, "Chữ ký không hợp lệ hoặc đã quá hạn")
    if logging_in:
        return None
    if not common.market(NAME).token_valid(token):
        return envelope(401, "Token hết hạn")
    fault = inject_faults(write=request.method != "GET")
    if fault:
        status, headers, _kind = fault
        return envelope(status, "Hệ thống đang bận", status=status, headers=headers)
    return None


@bp.post("/auth/token")
def token():
    body = request.get_json(silent=True) or {}
    credentials = g.credentials
    if (body.get("client_id"), body.get("client_secret")) != (credentials["client_id"], credentials["client_secret"]):
        return envelope(401, "Sai thông tin đăng nhập")
    value, expires = common.market(NAME).issue_token(sandbox().faults.token_ttl_seconds)
    return envelope(200, "Thành công", {"access_token": value, "expires_at": expires})


@bp.get("/categories/all")
def categories():
    return envelope(200, "Thành công", common.market(NAME).categories)


@bp.post("/images")
def images():
    upload = request.files.get("image")
    if upload is None:
        return envelope(400, "Thiếu ảnh")
    data = upload.read()
    if len(data) < 100 or not data.startswith(b"\xff\xd8"):
        return envelope(422, "Ảnh không hợp lệ (chỉ nhận JPEG)")
    return envelope(200, "Thành công", {"image_id": common.upload_image(NAME, data)})


@bp.post("/products")
def create_product():
    try:
        return envelope(200, "Thành công", common.create(NAME, request.get_json(force=True)))
    except (ValueError, TypeError) as error:
        return envelope(422, f"Dữ liệu không hợp lệ: {error}")


@bp.get("/products")
def find_products():
    return envelope(200, "Thành công", common.find_by_sku(NAME, request.args.get("seller_sku", "")))


@bp.get("/products/<product_id>")
def get_product(product_id: str):
    product = common.get(NAME, product_id)
    return envelope(200, "Thành công", product) if product else envelope(404, "Không tìm thấy sản phẩm")


@bp.put("/products/<product_id>/price-stock")
def price_stock(product_id: str):
    body = request.get_json(force=True)
    product = common.update_price_stock(NAME, product_id, body.get("price"), body.get("stock"))
    return envelope(200, "Thành công", product) if product else envelope(404, "Không tìm thấy sản phẩm")


@bp.put("/products/<product_id>/images")
def images_of(product_id: str):
    try:
        product = common.update_images(NAME, product_id, (request.get_json(force=True) or {}).get("image_ids"))
    except ValueError as error:
        return envelope(422, f"Ảnh không hợp lệ: {error}")
    return envelope(200, "Thành công", product) if product else envelope(404, "Không tìm thấy sản phẩm")


@bp.post("/products/<product_id>/<action>")
def listing(product_id: str, action: str):
    if action not in ("delist", "relist"):
        return envelope(404, "Không có thao tác này")
    product = common.set_listed(NAME, product_id, action == "relist")
    return envelope(200, "Thành công", product) if product else envelope(404, "Không tìm thấy sản phẩm")


@bp.get("/events")
def events():
    items, cursor = common.events_since(NAME, request.args.get("cursor", 0, type=int),
                                        min(request.args.get("limit", 100, type=int), 500))
    return envelope(200, "Thành công", {"events": items, "next_cursor": cursor})
