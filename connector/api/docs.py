"""GET /api/v1/docs: the OpenAPI document as a plain page (no CDN-hosted Swagger UI).

The OpenAPI document keeps the handlers' English docstrings (it is for programs and developers);
this page is read by postal IT staff, so each operation has a Vietnamese summary here. An operation
missing from SUMMARIES shows its English docstring, and a test fails.
"""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")

SUMMARIES = {
    ("GET", "/api/v1/admin-units/communes"): _l(
        "Find communes by name, ignoring diacritics and case (\"hai lang\" finds \"Hải Lăng\")."),
    ("GET", "/api/v1/admin-units/communes/{code}"): _l("One commune by its 2025 code. Unknown code: 422."),
    ("POST", "/api/v1/admin-units/convert"): _l(
        "Convert a pre-2025 address (province, district, commune) to today's commune."),
    ("GET", "/api/v1/admin-units/provinces"): _l("The 34 provinces and cities, by code."),
    ("GET", "/api/v1/admin-units/provinces/{code}/communes"): _l(
        "The communes, wards and special zones of one province. Unknown code: 422."),
    ("POST", "/api/v1/auth/token"): _l("Exchange a username and password for a bearer token that expires."),
    ("DELETE", "/api/v1/auth/token"): _l("Revoke the token used for this request (sign out of the API)."),
    ("GET", "/api/v1/households"): _l(
        "Households in your area; q matches names without diacritics or case, and phone digits."),
    ("POST", "/api/v1/households"): _l("Register a household; with consent: true it is active, else a draft."),
    ("GET", "/api/v1/households/{household_id}"): _l("One household; another area's household answers 404."),
    ("PATCH", "/api/v1/households/{household_id}"): _l(
        "Change some fields; they are validated together with the stored ones."),
    ("POST", "/api/v1/households/{household_id}/archive"): _l("Archive a household (it is kept, with its history)."),
    ("GET", "/api/v1/households/{household_id}/history"): _l(
        "Who created and changed this household, when, and what (account numbers masked)."),
    ("GET", "/api/v1/households/{household_id}/products"): _l("The household's products (archived ones left out)."),
    ("POST", "/api/v1/households/{household_id}/products"): _l(
        "Add a product (a draft until it has a photo and is set active)."),
    ("POST", "/api/v1/households/{household_id}/reinstate"): _l(
        "Reinstate a suspended household: its listings go back on sale."),
    ("POST", "/api/v1/households/{household_id}/suspend"): _l(
        "Suspend an active household; the body's reason is required: its listings are taken down."),
    ("POST", "/api/v1/imports/{kind}"): _l(
        "kind is households or products. With dry_run, only the report; else all rows or none."),
    ("GET", "/api/v1/orders/{order_id}/payment-qr"): _l(
        "The order's dynamic VietQR: payload, its fields, and image and pay-page links."),
    ("GET", "/api/v1/orders/{order_id}/payment-qr.{image_format}"): _l(
        "The order's VietQR as PNG or SVG (error correction M; ETag)."),
    ("POST", "/api/v1/orders/{order_id}/payments"): _l(
        "Staff record cash received or a transfer they saw (amount and method)."),
    ("GET", "/api/v1/products/{product_id}"): _l("One product; another area's product answers 404."),
    ("PATCH", "/api/v1/products/{product_id}"): _l("Change some fields (validated together with the stored ones)."),
    ("POST", "/api/v1/products/{product_id}/archive"): _l("Archive a product."),
    ("GET", "/api/v1/products/{product_id}/listings"): _l(
        "Each marketplace's listing of the product: state, reason, remote id."),
    ("POST", "/api/v1/products/{product_id}/photos"): _l(
        "Upload one photo (JPEG, PNG or WebP up to 10 MB); EXIF is removed, the size reduced."),
    ("DELETE", "/api/v1/products/{product_id}/photos/{photo_id}"): _l(
        "Remove a photo (a product on sale keeps at least one)."),
    ("POST", "/api/v1/products/{product_id}/publish"): _l(
        "Publish to the chosen marketplaces; the work happens in background jobs."),
    ("GET", "/api/v1/service-points/nearest"): _l(
        "Active service points nearest to a place (great-circle km), nearest first, open now or not."),
    ("POST", "/api/v1/webhooks/carrier"): _l(
        "A shipment's status from the carrier, HMAC-signed. Bad signature: 401, nothing changed."),
    ("POST", "/api/v1/webhooks/payments"): _l(
        "A bank notice, HMAC-signed like the marketplaces' webhooks. Bad signature: 401, nothing stored."),
    ("POST", "/api/v1/webhooks/{marketplace}"): _l(
        "A marketplace's event, signed (HMAC-SHA256) with the secret of the national account."),
    ("POST", "/api/v1/webhooks/{marketplace}/{storefront}"): _l(
        "A marketplace's event for one province's shop, signed (HMAC-SHA256) with that shop's secret."),
}
PLACES = {"path": _l("in the path"), "query": _l("in the query string"), "header": _l("in a header")}


@bp.route("/api/v1/docs")
def docs():
    from connector.extensions import api

    spec = api.spec.to_dict()
    operations = []
    for path, item in sorted(spec["paths"].items()):
        for method, operation in item.items():
            if method not in METHODS:
                continue
            summary = SUMMARIES.get((method.upper(), path))
            operations.append({
                "method": method.upper(), "path": path,
                "summary": summary or operation.get("summary", ""),
                "description": "" if summary else operation.get("description", ""),
                "parameters": [{"name": p["name"], "place": PLACES.get(p["in"], p["in"])}
                               for p in operation.get("parameters", [])],
                "responses": [code for code in operation.get("responses", {}) if code != "default"],
            })
    return render_template("api/docs.html", spec=spec, operations=operations)
