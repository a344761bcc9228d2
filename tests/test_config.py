import json
import os
import subprocess
import sys

import pytest

from connector import create_app
from connector.config import DEFAULT_SECRET_KEY, PROJECT_ROOT, ConfigError, load_config

# A fully configured production environment: real-looking credentials, the real services over HTTPS.
PRODUCTION = {
    "CONNECTOR_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgres://app@db.internal/connector",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "PAYMENTS_WEBHOOK_SECRET": "bank-7Hq2kLx9",
    "POSTMART_BASE_URL": "https://api.postmart.vn/v1",
    "POSTMART_CLIENT_ID": "ketnoi-national",
    "POSTMART_CLIENT_SECRET": "pm-secret-3NfT8qZ",
    "POSTMART_SIGNING_SECRET": "pm-signing-Vb61sQ",
    "POSTMART_WEBHOOK_SECRET": "pm-webhook-Ke0wPz",
    "VOSO_BASE_URL": "https://partner.voso.vn/api",
    "VOSO_USERNAME": "ketnoi",
    "VOSO_PASSWORD": "vs-password-Lr4mXc",
    "VOSO_SIGNING_SECRET": "vs-signing-Tn8aJd",
    "VOSO_WEBHOOK_SECRET": "vs-webhook-Qy2hWe",
    "CARRIER_BASE_URL": "https://donhang.vnpost.vn/api",
    "CARRIER_USERNAME": "ketnoi-carrier",
    "CARRIER_PASSWORD": "cr-password-Zp9uBv",
    "CARRIER_SIGNING_SECRET": "cr-signing-Hs3eGm",
    "CARRIER_WEBHOOK_SECRET": "cr-webhook-Wc7oNk",
    "SMS_BASE_URL": "https://rest.esms.vn",
    "SMS_API_KEY": "ketnoi-sms-key",
    "SMS_SECRET_KEY": "sms-secret-R2dW8p",
    "SMS_SIGNING_SECRET": "sms-signing-Jq5tYc",
    "SMS_WEBHOOK_SECRET": "sms-webhook-Ux1vLa",
    "ZALO_BASE_URL": "https://business.openapi.zalo.me",
    "ZALO_ACCESS_TOKEN": "zalo-token-Pm4cSe",
    "ZALO_SIGNING_SECRET": "zalo-signing-Gk7nRb",
    "ZALO_WEBHOOK_SECRET": "zalo-webhook-Hb3xMf",
    "WEB_PUSH_VAPID_PRIVATE_KEY": "Qv1yWc0m2h9kJx7nT4bRrL6sD8fG3pZaE5uY0iO2tKw",
    "WEB_PUSH_VAPID_PUBLIC_KEY": "BNcR0xF2mJ9qL4sT7vW1yZ3aC6eG8iK0nP2rU5wX7zB9dF1hJ3lM5oQ7sU9wY1aC3eG5iK7mO9qS1",
    "WEB_PUSH_VAPID_SUBJECT": "mailto:thongbao@ketnoi.vn",
}
# Every demo secret and credential of the README: refused in production, unset or set to its demo value.
DEMO_VARIABLES = [
    "PAYMENTS_WEBHOOK_SECRET",
    "POSTMART_CLIENT_ID", "POSTMART_CLIENT_SECRET", "POSTMART_SIGNING_SECRET", "POSTMART_WEBHOOK_SECRET",
    "VOSO_USERNAME", "VOSO_PASSWORD", "VOSO_SIGNING_SECRET", "VOSO_WEBHOOK_SECRET",
    "CARRIER_USERNAME", "CARRIER_PASSWORD", "CARRIER_SIGNING_SECRET", "CARRIER_WEBHOOK_SECRET",
    "SMS_API_KEY", "SMS_SECRET_KEY", "SMS_SIGNING_SECRET", "SMS_WEBHOOK_SECRET",
    "ZALO_ACCESS_TOKEN", "ZALO_SIGNING_SECRET", "ZALO_WEBHOOK_SECRET",
    "WEB_PUSH_VAPID_PRIVATE_KEY", "WEB_PUSH_VAPID_PUBLIC_KEY", "WEB_PUSH_VAPID_SUBJECT",
]
SANDBOX_URL_VARIABLES = ["POSTMART_BASE_URL", "VOSO_BASE_URL", "CARRIER_BASE_URL", "SMS_BASE_URL", "ZALO_BASE_URL"]


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
    assert config["MARKETPLACES"]["voso"]["password"] == "vs-password-Lr4mXc"
    assert config["CARRIER"]["base_url"] == "https://donhang.vnpost.vn/api"
    assert config["NOTICES"]["sms"]["base_url"] == "https://rest.esms.vn"
    assert config["NOTICES"]["zalo"]["access_token"] == "zalo-token-Pm4cSe"
    assert config["NOTICES"]["zalo"]["templates"] == {}  # no sandbox template ids in production
    assert config["NOTICES"]["push"]["vapid_subject"] == "mailto:thongbao@ketnoi.vn"


def test_notice_channels_default_to_the_sandbox_with_demo_keys_outside_production():
    notices = load_config({"SANDBOX_URL": "http://127.0.0.1:5999"})["NOTICES"]
    assert notices["sms"]["base_url"] == "http://127.0.0.1:5999/sms"
    assert notices["zalo"]["base_url"] == "http://127.0.0.1:5999/zalo"
    assert notices["sms"]["cost_vnd"] == 750 and notices["zalo"]["cost_vnd"] == 300
    assert notices["zalo"]["templates"]["sign_in_code"] == "demo-sign-in-code"
    environ = {"ZALO_TEMPLATES": '{"sign_in_code": "248513"}', "SMS_COST_VND": "800"}
    assert load_config(environ)["NOTICES"]["zalo"]["templates"] == {"sign_in_code": "248513"}
    assert load_config(environ)["NOTICES"]["sms"]["cost_vnd"] == 800
    with pytest.raises(ValueError, match="ZALO_TEMPLATES"):
        load_config({"ZALO_TEMPLATES": "[1, 2]"})


def test_a_fully_configured_production_app_starts():
    # In a process of its own: a second app in this one would rebind the shared extension objects
    # (the rate limiter's storage among them) under the session's test app.
    script = ("from connector import create_app; app = create_app(); "
              "print(app.config['MARKETPLACES']['postmart']['base_url'], app.config['PAYMENTS_WEBHOOK_SECRET'])")
    started = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             env={**os.environ, **PRODUCTION}, timeout=60)
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["https://api.postmart.vn/v1", "bank-7Hq2kLx9"]


def test_production_refuses_every_demo_secret_left_unset_and_names_each():
    environ = {name: value for name, value in PRODUCTION.items() if name not in DEMO_VARIABLES}
    with pytest.raises(ConfigError) as refused:
        load_config(environ)
    for name in DEMO_VARIABLES:
        assert name in str(refused.value)


def test_production_refuses_the_readme_demo_values_and_names_each():
    demo = load_config({})  # the development config: the README's demo values
    environ = {**PRODUCTION,
               "PAYMENTS_WEBHOOK_SECRET": demo["PAYMENTS_WEBHOOK_SECRET"],
               "POSTMART_CLIENT_SECRET": demo["MARKETPLACES"]["postmart"]["client_secret"],
               "VOSO_PASSWORD": demo["MARKETPLACES"]["voso"]["password"],
               "CARRIER_WEBHOOK_SECRET": demo["CARRIER"]["webhook_secret"],
               "ZALO_ACCESS_TOKEN": demo["NOTICES"]["zalo"]["access_token"],
               # The demo VAPID pair does not start with "demo-": refused because it is the README's.
               "WEB_PUSH_VAPID_PRIVATE_KEY": demo["NOTICES"]["push"]["vapid_private_key"],
               "CARRIER_SIGNING_SECRET": "demo-something-else"}  # any "demo-" value is a demo value
    with pytest.raises(ConfigError) as refused:
        load_config(environ)
    message = str(refused.value)
    for name in ("PAYMENTS_WEBHOOK_SECRET", "POSTMART_CLIENT_SECRET", "VOSO_PASSWORD", "CARRIER_WEBHOOK_SECRET",
                 "CARRIER_SIGNING_SECRET", "ZALO_ACCESS_TOKEN", "WEB_PUSH_VAPID_PRIVATE_KEY"):
        assert name in message
    for name in ("POSTMART_SIGNING_SECRET", "VOSO_USERNAME", "CARRIER_PASSWORD", "SMS_API_KEY",
                 "WEB_PUSH_VAPID_PUBLIC_KEY"):  # set to real values
        assert name not in message


def test_production_refuses_sandbox_urls_and_names_each():
    environ = {name: value for name, value in PRODUCTION.items() if name not in SANDBOX_URL_VARIABLES}
    with pytest.raises(ConfigError) as refused:  # unset: the defaults are the sandbox's
        load_config(environ)
    for name in SANDBOX_URL_VARIABLES:
        assert name in str(refused.value)
    environ = {**PRODUCTION, "POSTMART_BASE_URL": "http://127.0.0.1:5001/postmart",
               "VOSO_BASE_URL": "http://localhost:8000/voso"}
    with pytest.raises(ConfigError) as refused:
        load_config(environ)
    assert "POSTMART_BASE_URL" in str(refused.value) and "VOSO_BASE_URL" in str(refused.value)
    assert "CARRIER_BASE_URL" not in str(refused.value)


def test_production_refuses_provincial_storefronts_with_demo_or_missing_secrets():
    shops = {
        "postmart": {"79": {"client_id": "hcm-postmart", "client_secret": "demo-postmart-secret",
                            "signing_secret": "hcm-signing", "webhook_secret": "hcm-webhook"}},
        "voso": {"44": {"username": "qt-voso", "password": "qt-password", "signing_secret": "qt-signing",
                        "base_url": "http://127.0.0.1:5001/voso"}},  # no webhook_secret
    }
    environ = {**PRODUCTION, "POSTMART_STOREFRONTS": json.dumps(shops["postmart"]),
               "VOSO_STOREFRONTS": json.dumps(shops["voso"])}
    with pytest.raises(ConfigError) as refused:
        load_config(environ)
    message = str(refused.value)
    assert 'POSTMART_STOREFRONTS["79"].client_secret' in message
    assert 'VOSO_STOREFRONTS["44"].webhook_secret' in message
    assert 'VOSO_STOREFRONTS["44"].base_url' in message
    assert "signing_secret" not in message and "client_id" not in message
    shops["postmart"]["79"]["client_secret"] = "hcm-secret"
    shops["voso"]["44"].update(webhook_secret="qt-webhook", base_url="https://partner.voso.vn/api")
    config = load_config({**PRODUCTION, "POSTMART_STOREFRONTS": json.dumps(shops["postmart"]),
                          "VOSO_STOREFRONTS": json.dumps(shops["voso"])})
    assert config["MARKETPLACES"]["voso"]["storefronts"]["44"]["password"] == "qt-password"


def test_production_has_no_sandbox_category_defaults():
    assert load_config({})["MARKETPLACE_CATEGORY_DEFAULTS"]["postmart"]["rice_grain"]
    assert load_config(PRODUCTION)["MARKETPLACE_CATEGORY_DEFAULTS"] == {}


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


def test_worker_settings_keep_their_variables_and_defaults_and_a_mistyped_worker_class_is_refused():
    defaults = load_config({})
    assert (defaults["WORKER_PERIODIC_SECONDS"], defaults["WORKER_CLASS"], defaults["WORKER_MAINTENANCE_SECONDS"]) \
        == (15.0, "simple", 60)
    chosen = load_config({"WORKER_PERIODIC_SECONDS": "1", "WORKER_CLASS": "fork", "WORKER_MAINTENANCE_SECONDS": "30"})
    assert (chosen["WORKER_PERIODIC_SECONDS"], chosen["WORKER_CLASS"], chosen["WORKER_MAINTENANCE_SECONDS"]) \
        == (1.0, "fork", 30)
    with pytest.raises(ConfigError, match="WORKER_CLASS must be one of simple, fork"):
        load_config({"WORKER_CLASS": "forked"})  # a typo would otherwise quietly run jobs in-process


PRODUCTION_LOGIN_PAGE = """
from connector import create_app
app = create_app()
page = app.test_client().get("/login").get_data(as_text=True)
print("VIETNAMESE" if "Đăng nhập" in page and "Tên đăng nhập" in page else "ENGLISH")
"""


def test_a_production_deploy_without_compiled_catalogues_answers_in_vietnamese(tmp_path):
    """Issue 15, finding 10: the Procfile's deploy served English (only `make` compiled the catalogues)."""
    import shutil

    project = tmp_path / "deploy"
    for folder in ("connector", "templates", "translations", "workers"):
        shutil.copytree(PROJECT_ROOT / folder, project / folder, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    assert not list((project / "translations").rglob("*.mo"))
    started = subprocess.run([sys.executable, "-c", PRODUCTION_LOGIN_PAGE], cwd=project, capture_output=True, text=True,
                             env={**os.environ, **PRODUCTION, "PYTHONPATH": str(project),
                                  "CONNECTOR_INSTANCE_DIR": str(tmp_path / "instance")}, timeout=120)
    assert started.stdout.split()[-1:] == ["VIETNAMESE"], started.stdout + started.stderr[-2000:]
