"""/api/v1/households: create, read, update, list, suspend, archive, history (scoped like the pages)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.api import json_body, link
from connector.audit.services import history
from connector.auth.sessions import api_access, api_user
from connector.households import services
from connector.households.schemas import (
    HouseholdInputSchema,
    HouseholdListArgsSchema,
    HouseholdPageSchema,
    HouseholdSchema,
    HouseholdUpdateSchema,
)

blp = Blueprint("households_api", __name__, url_prefix="/households", description="Farming households")
_HOUSEHOLD = "/households/{household_id}"
_ID = "$response.body#/id"
# From a created household to what can be done with it (OpenAPI links).
CREATED_LINKS = {"201": {"links": {
    "GetHousehold": link(_HOUSEHOLD, "get", household_id=_ID),
    "UpdateHousehold": link(_HOUSEHOLD, "patch", household_id=_ID),
    "HouseholdHistory": link(f"{_HOUSEHOLD}/history", "get", household_id=_ID),
    "HouseholdProducts": link(f"{_HOUSEHOLD}/products", "get", household_id=_ID),
    "AddProduct": link(f"{_HOUSEHOLD}/products", "post", household_id=_ID),
    "ArchiveHousehold": link(f"{_HOUSEHOLD}/archive", "post", household_id=_ID),
}}}


class HouseholdCreateSchema(HouseholdInputSchema):
    confirm_duplicates = fields.Boolean(load_default=False, metadata={
        "description": "Save even though a household with a similar name lives in the same commune."})


class SuspensionSchema(Schema):
    reason = fields.String(required=True, metadata={"description": "Why, as the farmer will be told."})


class ConversionInfoSchema(Schema):
    province = fields.String()
    district = fields.String(allow_none=True)
    commune = fields.String()


class HouseholdCreatedSchema(HouseholdSchema):
    converted_from = fields.Nested(ConversionInfoSchema, allow_none=True)


class AuditEventSchema(Schema):
    action = fields.String()
    actor = fields.Function(lambda event: event.actor.username if event.actor else None)
    changes = fields.Dict()
    created_at = fields.DateTime()




@blp.route("")
class Households(MethodView):
    @api_access("households.read")
    @blp.arguments(HouseholdListArgsSchema, location="query")
    @blp.response(200, HouseholdPageSchema)
    def get(self, args):
        """Households in your area; `q` matches names without diacritics or case, and phone digits."""
        items, total = services.search_households(api_user(), **args)
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}

    @api_access("households.write")
    @blp.doc(requestBody={"content": {"application/json": {"schema": HouseholdCreateSchema}}},
             responses=CREATED_LINKS)
    @blp.response(201, HouseholdCreatedSchema)
    @blp.alt_response(409, description="Possible duplicate: resend with confirm_duplicates=true")
    def post(self):
        """Register a household; with `consent: true` it is active, else a draft."""
        body = json_body()
        confirm = bool(body.pop("confirm_duplicates", False))
        household, conversion = services.create_household(api_user(), body, confirm_duplicates=confirm)
        household.converted_from = conversion["legacy"] if conversion else None
        return household


@blp.route("/<int:household_id>")
class HouseholdDetail(MethodView):
    @api_access("households.read")
    @blp.response(200, HouseholdSchema)
    def get(self, household_id):
        """One household; another area's household answers 404."""
        return services.get_household(api_user(), household_id)

    @api_access("households.write")
    @blp.doc(requestBody={"content": {"application/json": {"schema": HouseholdUpdateSchema}}})
    @blp.response(200, HouseholdSchema)
    def patch(self, household_id):
        """Change some fields; they are validated together with the stored ones."""
        user = api_user()
        household = services.get_household(user, household_id, for_write=True)
        return services.update_household(user, household, json_body())


@blp.route("/<int:household_id>/archive")
class HouseholdArchive(MethodView):
    @api_access("households.write")
    @blp.response(200, HouseholdSchema)
    def post(self, household_id):
        """Archive a household (it is kept, with its history)."""
        user = api_user()
        return services.archive_household(user, services.get_household(user, household_id, for_write=True))


@blp.route("/<int:household_id>/suspend")
class HouseholdSuspend(MethodView):
    @api_access("households.suspend")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": SuspensionSchema}}})
    @blp.response(200, HouseholdSchema)
    def post(self, household_id):
        """Suspend an active household; body `{"reason": "..."}` (required): its listings are taken down."""
        user = api_user()
        household = services.get_household(user, household_id)
        reason = json_body().get("reason")
        return services.suspend_household(user, household, reason if isinstance(reason, str) else "")


@blp.route("/<int:household_id>/reinstate")
class HouseholdReinstate(MethodView):
    @api_access("households.suspend")
    @blp.response(200, HouseholdSchema)
    def post(self, household_id):
        """Reinstate a suspended household: its listings go back on sale."""
        user = api_user()
        return services.reinstate_household(user, services.get_household(user, household_id))


@blp.route("/<int:household_id>/history")
class HouseholdHistory(MethodView):
    @api_access("households.read")
    @blp.response(200, AuditEventSchema(many=True))
    def get(self, household_id):
        """Who created and changed this household, when, and what (account numbers masked)."""
        household = services.get_household(api_user(), household_id)
        return history("household", household.id)
