"""API tokens: sign in for a bearer token, revoke it."""

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from connector.auth import services
from connector.auth.schemas import TokenRequestSchema, TokenSchema
from connector.auth.sessions import api_access
from connector.extensions import limiter

blp = Blueprint("auth_api", __name__, url_prefix="/auth", description="Sign in for an API token")


def _failed(response) -> bool:
    return response.status_code in (401, 422)


def _account_tried() -> str:
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    return "login-account:" + (username.strip().lower()[:64] if isinstance(username, str) else "")


@blp.route("/token")
class TokenResource(MethodView):
    decorators = [
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed),
        # The same counter as the sign-in form's (scope "login-account"): one budget per account.
        limiter.shared_limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], scope="login-account",
                             key_func=_account_tried, methods=["POST"], deduct_when=_failed),
    ]

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    def post(self, credentials):
        """Exchange a username and password for a bearer token that expires."""
        user = services.authenticate(credentials["username"], credentials["password"])
        plain, token = services.issue_token(user)
        return {"token": plain, "expires_at": token.expires_at}

    @api_access()
    @blp.response(204)
    def delete(self):
        """Revoke the token used for this request (sign out of the API)."""
        if "api_token" in g:
            services.revoke_token(g.api_token)
