import pytest

from connector import create_app
from connector.config import DEFAULT_SECRET_KEY, ConfigError, load_config

PRODUCTION = {
    "CONNECTOR_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgres://app@db.internal/connector",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def test_local_defaults_need_no_environment():
    config = load_config({})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/connector.sqlite3")
    assert config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert config["REDIS_URL"].startswith("redis://127.0.0.1:")


def test_production_settings_are_accepted_and_postgres_uses_psycopg3():
    config = load_config(PRODUCTION)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/connector"
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("secret", [None, "", DEFAULT_SECRET_KEY, "short"])
def test_production_refuses_a_missing_or_default_secret_key(secret, monkeypatch):
    environ = dict(PRODUCTION)
    if secret is None:
        del environ["SECRET_KEY"]
    else:
        environ["SECRET_KEY"] = secret
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        create_app()


def test_production_refuses_missing_database_and_redis():
    environ = {"CONNECTOR_ENV": "production", "SECRET_KEY": "s" * 48}
    with pytest.raises(ConfigError, match="DATABASE_URL.*REDIS_URL"):
        load_config(environ)


def test_development_cookies_work_over_plain_http_but_stay_httponly():
    config = load_config({})
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_provincial_storefronts_come_from_json_and_bad_json_is_refused():
    from connector.config import marketplace_settings

    shops = marketplace_settings({"VOSO_STOREFRONTS": '{"44": {"username": "qt-voso", "password": "p"}}'})
    assert shops["voso"]["storefronts"] == {"44": {"username": "qt-voso", "password": "p"}}
    assert shops["postmart"]["storefronts"] == {}
    with pytest.raises(ValueError, match="POSTMART_STOREFRONTS is not valid JSON"):
        marketplace_settings({"POSTMART_STOREFRONTS": "{44: x}"})
    with pytest.raises(ValueError, match="must map province codes"):
        marketplace_settings({"POSTMART_STOREFRONTS": '["44"]'})
