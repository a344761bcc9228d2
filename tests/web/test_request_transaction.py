"""One transaction per request: it commits only when the request succeeded. A domain error raised
while handling it undoes every write, even when the page catches the error to answer with a
redirect and a message (the catch-and-redirect handlers once each had to remember to roll back)."""

from flask import redirect
from sqlalchemy import select

from connector import create_app
from connector.audit.models import AuditEvent
from connector.audit.services import record
from connector.errors import ValidationFailed, act_and_flash
from connector.extensions import db

MARK = 987654321  # an entity id no real row has


def app_with_routes(app_config):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": False})

    @app.post("/_test/caught")
    def caught():
        record(None, "test", "household", MARK, {})
        try:
            raise ValidationFailed(errors={"x": ["refused"]})
        except ValidationFailed:
            return redirect("/")  # no rollback here: the request's boundary must undo the write

    @app.post("/_test/act")
    def act():
        def action():
            record(None, "test", "household", MARK + 1, {})
            raise ValidationFailed(errors={"x": ["refused"]})

        act_and_flash(action, "done")
        return redirect("/")

    @app.post("/_test/fine")
    def fine():
        record(None, "test", "household", MARK + 2, {})
        return redirect("/")

    return app


def saved(entity_id: int) -> bool:
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.entity_id == entity_id)) is not None


def test_a_domain_error_caught_by_the_page_undoes_the_request(app_config, db_session):
    client = app_with_routes(app_config).test_client()
    assert client.post("/_test/caught").status_code == 302
    assert not saved(MARK)


def test_an_action_refused_through_act_and_flash_is_undone_and_said(app_config, db_session):
    client = app_with_routes(app_config).test_client()
    assert client.post("/_test/act").status_code == 302
    assert not saved(MARK + 1)
    with client.session_transaction() as session:
        assert ("error", "refused") in session["_flashes"]


def test_a_request_without_a_domain_error_commits(app_config, db_session):
    client = app_with_routes(app_config).test_client()
    assert client.post("/_test/fine").status_code == 302
    assert saved(MARK + 2)
