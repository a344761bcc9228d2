"""JSON API conventions: flask-smorest blueprints under /api/v1, one error body, bearer auth."""

from flask_smorest import Api


class ConnectorApi(Api):
    """flask-smorest's Api, with our error body and Vietnamese messages for every HTTP error."""

    def handle_http_exception(self, error):
        from connector.errors import handle_http_exception

        return handle_http_exception(error)
