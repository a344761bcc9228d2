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
