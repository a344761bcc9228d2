"""JSON API conventions: flask-smorest blueprints under /api/v1, one error body, bearer auth."""

from flask_smorest import Api


class ConnectorApi(Api):
    """flask-smorest's Api, with our error body and Vietnamese messages for every HTTP error."""

    def handle_http_exception(self, error):
        from connector.errors import handle_http_exception

        return handle_http_exception(error)


def json_body() -> dict:
    """The request's JSON object, or a 422 naming the body when it is missing or not an object."""
    from flask import request
    from flask_babel import gettext as _

    from connector.errors import ValidationFailed

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(errors={"json": [_("Send a JSON object.")]})
    return body


def error_doc(description: str) -> dict:
    """An error answer in the OpenAPI: the one JSON error body."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def link(path: str, method: str, **parameters: str) -> dict:
    """An OpenAPI link from an answer to the operation at `path` (under /api/v1), its parameters taken
    from the answer or the request ("$response.body#/id"): clients and the stateful fuzzing follow it."""
    pointer = f"/api/v1{path}".replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method}", "parameters": parameters}


# The signed webhooks (connector/signing.py): what they read, and how they refuse.
WEBHOOK_DOC = {
    "parameters": [
        {"in": "header", "name": "X-Timestamp", "required": True, "schema": {"type": "string"},
         "description": "Unix time of signing; a few minutes old at most."},
        {"in": "header", "name": "X-Signature", "required": True, "schema": {"type": "string"},
         "description": "Hex HMAC-SHA256 of METHOD, PATH, X-Timestamp and the body, one per line."},
    ],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    "responses": {
        "400": error_doc("The signed body is not a JSON object."),
        "401": error_doc("Bad or stale signature: nothing stored."),
        "422": error_doc("Signed, but not a valid event: nothing stored."),
    },
}
