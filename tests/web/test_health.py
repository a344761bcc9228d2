from connector import create_app


def test_health_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_is_503_when_redis_is_down(app, client):
    working_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("connector.redis", None)
    try:
        response = client.get("/healthz")
    finally:
        app.config["REDIS_URL"] = working_url
        app.extensions.pop("connector.redis", None)
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "database": "ok", "redis": "down"}


def test_health_is_503_when_the_database_is_down(app_config):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "database": "down", "redis": "ok"}
