"""The targets, trainings, report problems and large export pages and the targets API, registered by the app factory
in one call."""

from __future__ import annotations


def register_targets_and_trainings(app) -> None:
    from connector.extensions import api, csrf
    from connector.reports.export_views import bp as export_pages
    from connector.reports.problems import bp as problem_pages
    from connector.reports.targets_api import blp as targets_api
    from connector.reports.targets_views import bp as target_pages
    from connector.reports.trainings_views import bp as training_pages

    app.register_blueprint(target_pages)
    app.register_blueprint(training_pages)
    app.register_blueprint(problem_pages)
    app.register_blueprint(export_pages)
    # The API authenticates with bearer tokens, not cookies, so form CSRF tokens do not apply.
    csrf.exempt(targets_api)
    api.register_blueprint(targets_api, url_prefix=f"/api/v1{targets_api.url_prefix}")
