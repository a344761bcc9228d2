"""/api/v1 products: per household list and create; read, update, archive; photos."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.api import json_body, link
from connector.auth.sessions import api_access, api_user
from connector.catalogue import services
from connector.catalogue.schemas import PhotoSchema, ProductInputSchema, ProductSchema
from connector.errors import ValidationFailed
from connector.households.services import get_household

blp = Blueprint("catalogue_api", __name__, url_prefix="", description="Products and photos")
_PRODUCT = "/products/{product_id}"
_ID = "$response.body#/id"
# From a created product, and a added photo, to what can be done with them (OpenAPI links).
PRODUCT_LINKS = {"201": {"links": {
    "GetProduct": link(_PRODUCT, "get", product_id=_ID),
    "UpdateProduct": link(_PRODUCT, "patch", product_id=_ID),
    "AddPhoto": link(f"{_PRODUCT}/photos", "post", product_id=_ID),
    "ProductListings": link(f"{_PRODUCT}/listings", "get", product_id=_ID),
    "PublishProduct": link(f"{_PRODUCT}/publish", "post", product_id=_ID),
    "ArchiveProduct": link(f"{_PRODUCT}/archive", "post", product_id=_ID),
}}}
PHOTO_LINKS = {"201": {"links": {
    "DeletePhoto": link(f"{_PRODUCT}/photos/{{photo_id}}", "delete", product_id="$request.path.product_id",
                        photo_id=_ID),
}}}


class PhotoUploadSchema(Schema):
    photo = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)




@blp.route("/households/<int:household_id>/products")
class HouseholdProducts(MethodView):
    @api_access("households.read")
    @blp.response(200, ProductSchema(many=True))
    def get(self, household_id):
        """The household's products (archived ones left out)."""
        return services.list_products(get_household(api_user(), household_id))

    @api_access("households.write")
    @blp.doc(requestBody={"content": {"application/json": {"schema": ProductInputSchema}}},
             responses=PRODUCT_LINKS)
    @blp.response(201, ProductSchema)
    def post(self, household_id):
        """Add a product (a draft until it has a photo and is set active)."""
        return services.create_product(api_user(), household_id, json_body())


@blp.route("/products/<int:product_id>")
class ProductDetail(MethodView):
    @api_access("households.read")
    @blp.response(200, ProductSchema)
    def get(self, product_id):
        """One product; another area's product answers 404."""
        return services.get_product(api_user(), product_id)

    @api_access("households.write")
    @blp.doc(requestBody={"content": {"application/json": {"schema": ProductInputSchema}}})
    @blp.response(200, ProductSchema)
    def patch(self, product_id):
        """Change some fields (validated together with the stored ones)."""
        user = api_user()
        return services.update_product(user, services.get_product(user, product_id, for_write=True), json_body())


@blp.route("/products/<int:product_id>/archive")
class ProductArchive(MethodView):
    @api_access("households.write")
    @blp.response(200, ProductSchema)
    def post(self, product_id):
        """Archive a product."""
        user = api_user()
        return services.archive_product(user, services.get_product(user, product_id, for_write=True))


@blp.route("/products/<int:product_id>/photos")
class ProductPhotos(MethodView):
    @api_access("households.write")
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": PhotoUploadSchema}}},
             responses=PHOTO_LINKS)
    @blp.response(201, PhotoSchema)
    def post(self, product_id):
        """Upload one photo (JPEG, PNG or WebP up to 10 MB); EXIF is removed, the size reduced."""
        user = api_user()
        product = services.get_product(user, product_id, for_write=True)
        upload = request.files.get("photo")
        if upload is None:
            raise ValidationFailed(errors={"photo": [_("Choose a photo.")]})
        return services.add_photo(user, product, upload.read())


@blp.route("/products/<int:product_id>/photos/<int:photo_id>")
class ProductPhotoDetail(MethodView):
    @api_access("households.write")
    @blp.response(204)
    def delete(self, product_id, photo_id):
        """Remove a photo (a product on sale keeps at least one)."""
        user = api_user()
        services.delete_photo(user, services.get_product(user, product_id, for_write=True), photo_id)
