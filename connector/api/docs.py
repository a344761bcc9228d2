"""GET /api/v1/docs: the OpenAPI document as a plain page (no CDN-hosted Swagger UI)."""

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@bp.route("/api/v1/docs")
def docs():
    from connector.extensions import api

    spec = api.spec.to_dict()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, item in sorted(spec["paths"].items())
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template("api/docs.html", spec=spec, operations=operations)
