"""The connector: onboard farming households, publish to postal marketplaces, get farmers paid.

`create_app` wires configuration, extensions, blueprints and error handlers. It opens no
connection and changes no schema (migrations run with `flask db upgrade`).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from connector.config import PROJECT_ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config())
    app.json.ensure_ascii = False  # Vietnamese as UTF-8, not \u escapes: readable and smaller
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _declare_jobs()
    return app


def _init_extensions(app: Flask) -> None:
    from connector import catalogues, guards, i18n
    from connector.auth import sessions
    from connector.errors import register_error_handlers
    from connector.extensions import api, babel, compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    catalogues.ensure_compiled(app.config)  # before Babel reads where the catalogues are
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    guards.init_app(app)  # control characters refused before CSRF, limits and views
    csrf.init_app(app)
    limiter.init_app(app)
    sessions.init_app(app, login_manager)
    api.init_app(app)
    compress.init_app(app)
    app.after_request(_close_file_once_compressed)  # runs before flask-compress's (reverse order)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    register_error_handlers(app)
    app.after_request(_end_transaction)


def _close_file_once_compressed(response):
    """flask-compress reads a static file's response (send_file's file wrapper) and replaces it with
    the compressed bytes without closing the file: the wrapper would be closed only by the garbage
    collector. Closing it with the response fixes that; a response left uncompressed goes to the
    server as before, which closes the file itself."""
    if response.direct_passthrough and hasattr(response.response, "close"):
        response.call_on_close(response.response.close)
    return response


def _end_transaction(response):
    """One transaction per request: services only flush; here it commits, or rolls back when the
    request failed: an error status, or a domain error raised on the way, even one the page caught."""
    from connector.errors import request_failed
    from connector.extensions import db

    if response.status_code < 400 and not request_failed():
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _register_blueprints(app: Flask) -> None:
    from connector.api.docs import bp as api_docs
    from connector.auth.api import blp as auth_api
    from connector.auth.views import bp as auth_pages
    from connector.catalogue.api import blp as catalogue_api
    from connector.catalogue.photos import bp as photos
    from connector.catalogue.views import bp as catalogue_pages
    from connector.extensions import api, csrf
    from connector.farmers.handover import bp as handover_pages
    from connector.farmers.pages import bp as farmer_own_pages
    from connector.farmers.pwa import bp as farmer_app
    from connector.farmers.views import bp as farmer_pages
    from connector.health import bp as health
    from connector.home.views import bp as home_pages
    from connector.households.address_api import blp as admin_units_api
    from connector.households.api import blp as households_api
    from connector.households.views import bp as household_pages
    from connector.imports.api import blp as imports_api
    from connector.imports.views import bp as import_pages
    from connector.logistics import receivers as logistics_receivers  # noqa: F401  (orders -> pickups)
    from connector.logistics.api import blp as logistics_api
    from connector.logistics.views import bp as logistics_pages
    from connector.marketplaces import receivers  # noqa: F401  (listens to product and household changes)
    from connector.marketplaces.api import blp as marketplaces_api
    from connector.marketplaces.views import bp as marketplace_pages
    from connector.notices import receivers as notice_receivers  # noqa: F401  (tells farmers what happened)
    from connector.notices.api import blp as notices_api
    from connector.notices.views import bp as notice_pages
    from connector.orders.views import bp as order_pages
    from connector.payments.api import blp as payments_api
    from connector.payments.views import bp as payment_pages
    from connector.reports.api import blp as reports_api
    from connector.reports.views import bp as report_pages

    app.register_blueprint(health)
    app.register_blueprint(api_docs)
    app.register_blueprint(auth_pages)
    app.register_blueprint(home_pages)
    app.register_blueprint(household_pages)
    app.register_blueprint(catalogue_pages)
    app.register_blueprint(photos)
    app.register_blueprint(import_pages)
    app.register_blueprint(order_pages)
    app.register_blueprint(marketplace_pages)
    app.register_blueprint(payment_pages)
    app.register_blueprint(logistics_pages)
    app.register_blueprint(farmer_pages)
    app.register_blueprint(farmer_own_pages)
    app.register_blueprint(farmer_app)
    app.register_blueprint(handover_pages)
    app.register_blueprint(notice_pages)
    app.register_blueprint(report_pages)
    from connector.reports.blueprints import register_targets_and_trainings  # targets, trainings (issue 14)
    register_targets_and_trainings(app)
    # The API authenticates with bearer tokens, not cookies, so form CSRF tokens do not apply.
    for blueprint in (auth_api, admin_units_api, households_api, catalogue_api, imports_api,
                      marketplaces_api, payments_api, logistics_api, notices_api, reports_api):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")


def _declare_jobs() -> None:
    """Each feature declares its queue and periodic tasks in its own modules; importing them here
    completes the job registry (connector/jobs/registry.py) that workers and the dispatcher read."""
    from connector.auth import jobs as auth_jobs  # noqa: F401
    from connector.logistics import jobs as logistics_jobs  # noqa: F401
    from connector.logistics import periodic as logistics_periodic  # noqa: F401
    from connector.marketplaces import jobs as marketplace_jobs  # noqa: F401
    from connector.marketplaces import periodic as marketplace_periodic  # noqa: F401
    from connector.notices import jobs as notice_jobs  # noqa: F401
    from connector.notices import periodic as notice_periodic  # noqa: F401
    from connector.payments import jobs as payment_jobs  # noqa: F401
    from connector.reports import jobs as report_jobs  # noqa: F401


def _register_cli(app: Flask) -> None:
    from connector.admin_units.cli import admin_units_cli
    from connector.auth.cli import users_cli
    from connector.jobs.cli import jobs_cli
    from connector.logistics.cli import service_points_cli
    from connector.marketplaces.cli import marketplaces_cli
    from connector.payments.cli import payments_cli, vietqr_cli
    from connector.seed import seed_cli

    for group in (users_cli, admin_units_cli, jobs_cli, seed_cli, marketplaces_cli, vietqr_cli, payments_cli,
                  service_points_cli):
        app.cli.add_command(group)
