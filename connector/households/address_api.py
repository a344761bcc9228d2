"""GET /api/v1/admin-units/...: provinces, their communes, search, pre-2025 conversion."""

from flask.views import MethodView
from flask_smorest import Blueprint

from connector.admin_units import services
from connector.admin_units.schemas import (
    CommuneSchema,
    CommuneSearchArgsSchema,
    ConversionSchema,
    LegacyAddressSchema,
    ProvinceSchema,
)
from connector.auth.sessions import api_access

blp = Blueprint(
    "admin_units_api", __name__, url_prefix="/admin-units",
    description="Vietnam's provinces and communes since 1 July 2025",
)


@blp.route("/provinces")
class Provinces(MethodView):
    @api_access("admin_units.read")
    @blp.response(200, ProvinceSchema(many=True))
    def get(self):
        """The 34 provinces and cities, by code."""
        return services.list_provinces()


@blp.route("/provinces/<code>/communes")
class ProvinceCommunes(MethodView):
    @api_access("admin_units.read")
    @blp.response(200, CommuneSchema(many=True))
    def get(self, code):
        """The communes, wards and special zones of one province. Unknown code: 422."""
        return services.list_communes(code)


@blp.route("/communes")
class CommuneSearch(MethodView):
    @api_access("admin_units.read")
    @blp.arguments(CommuneSearchArgsSchema, location="query")
    @blp.response(200, CommuneSchema(many=True))
    def get(self, args):
        """Find communes by name, ignoring diacritics and case ("hai lang" finds "Hải Lăng")."""
        return services.search_communes(args["q"], args["province"], args["limit"])


@blp.route("/communes/<code>")
class CommuneDetail(MethodView):
    @api_access("admin_units.read")
    @blp.response(200, CommuneSchema)
    def get(self, code):
        """One commune by its 2025 code. Unknown code: 422."""
        return services.get_commune(code, "code")


@blp.route("/convert")
class LegacyConversion(MethodView):
    @api_access("admin_units.read")
    @blp.arguments(LegacyAddressSchema)
    @blp.response(200, ConversionSchema)
    def post(self, address):
        """Convert a pre-2025 address (province, district, commune) to today's commune."""
        return services.convert_legacy_address(address["province"], address["district"], address["commune"])
