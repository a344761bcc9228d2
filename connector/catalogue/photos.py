"""GET /media/<key>: product photos, for staff who may see the product (session or bearer token)."""

from flask import Blueprint, send_file

from connector.auth.sessions import api_user
from connector.catalogue.services import get_product
from connector.errors import NotFound
from connector.media.storage import get_storage

bp = Blueprint("photos", __name__)


@bp.route("/media/products/<int:product_id>/<name>")
def product_photo(product_id: int, name: str):
    product = get_product(api_user(), product_id)
    path = get_storage().path_for_serving(f"products/{product.id}/{name}")
    if path is None:
        raise NotFound()
    # Keys are unique per upload, so a photo never changes under its URL; only the browser may keep it
    # (the photo is behind a sign-in: no shared cache should hand it to someone else).
    response = send_file(path, mimetype="image/jpeg", max_age=7 * 24 * 3600, conditional=True)
    response.cache_control.public = False
    response.cache_control.private = True
    return response
