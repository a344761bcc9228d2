"""Settings from the environment, with safe local defaults; strict in production.

Nothing here opens a connection: `load_config` only reads variables and returns a dict.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused in production
DEFAULT_REDIS_URL = "redis://127.0.0.1:6380/0"  # the embedded redis-server of `make run`
DEFAULT_SANDBOX_URL = "http://127.0.0.1:5001"

# The README's demo credentials and secrets, which the sandbox accepts. The config is built from this
# one table (`_demo`) and production refuses every variable in it that is unset or still a demo value,
# so a secret added here is checked without anyone remembering to.
DEMO_DEFAULTS = {
    "PAYMENTS_WEBHOOK_SECRET": "demo-bank-webhook",
    "POSTMART_CLIENT_ID": "demo-postmart",
    "POSTMART_CLIENT_SECRET": "demo-postmart-secret",
    "POSTMART_SIGNING_SECRET": "demo-postmart-signing",
    "POSTMART_WEBHOOK_SECRET": "demo-postmart-webhook",
    "VOSO_USERNAME": "demo-voso",
    "VOSO_PASSWORD": "demo-voso-password",
    "VOSO_SIGNING_SECRET": "demo-voso-signing",
    "VOSO_WEBHOOK_SECRET": "demo-voso-webhook",
    "CARRIER_USERNAME": "demo-carrier",
    "CARRIER_PASSWORD": "demo-carrier-password",
    "CARRIER_SIGNING_SECRET": "demo-carrier-signing",
    "CARRIER_WEBHOOK_SECRET": "demo-carrier-webhook",
    # Farmer notices: brandname SMS (eSMS style), Zalo ZNS, Web Push (a fixed demo VAPID pair).
    "SMS_API_KEY": "demo-sms-api-key",
    "SMS_SECRET_KEY": "demo-sms-secret-key",
    "SMS_SIGNING_SECRET": "demo-sms-signing",
    "SMS_WEBHOOK_SECRET": "demo-sms-webhook",
    "ZALO_ACCESS_TOKEN": "demo-zalo-access-token",
    "ZALO_SIGNING_SECRET": "demo-zalo-signing",
    "ZALO_WEBHOOK_SECRET": "demo-zalo-webhook",
    "WEB_PUSH_VAPID_PRIVATE_KEY": "z6d5VY5_ZkHRJGVE-N9bAY48O4ZpetRLML0l9EaKUg4",
    "WEB_PUSH_VAPID_PUBLIC_KEY": "BLN8OEH55IANeWpu7ERkrGsKVD1fK9mx_8FGjWEO8QjlRCkImiydSH69GEMopmmWjyKFRJ5oM1m3f"
                                 "qdWTC9TXfw",
    "WEB_PUSH_VAPID_SUBJECT": "mailto:thongbao@ketnoi.example",
}
DEMO_PREFIX = "demo-"
# Base URLs that default to a path of the local sandbox (SANDBOX_URL); production must set each.
SANDBOX_PATHS = {
    "POSTMART_BASE_URL": "/postmart",
    "VOSO_BASE_URL": "/voso",
    "CARRIER_BASE_URL": "/carrier/api",
    "SMS_BASE_URL": "/sms",
    "ZALO_BASE_URL": "/zalo",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - refused, not bound
# Per provincial storefront (POSTMART_STOREFRONTS / VOSO_STOREFRONTS), the marketplace's own
# credentials and secrets: the DEMO_DEFAULTS of that marketplace, without its prefix.
STOREFRONT_SECRETS = {
    marketplace: [name.removeprefix(prefix).lower() for name in DEMO_DEFAULTS if name.startswith(prefix)]
    for marketplace, prefix in (("postmart", "POSTMART_"), ("voso", "VOSO_"))
}
# Our categories -> the sandbox marketplaces' category ids: the defaults outside production only
# (MARKETPLACE_CATEGORY_DEFAULTS); in production every category is mapped by an admin.
SANDBOX_CATEGORIES = {
    "postmart": {"rice_grain": "11", "vegetables": "12", "fruit": "12", "tea_coffee": "15", "honey": "14",
                 "spices": "13", "dried_specialties": "13", "seafood": "16", "meat_poultry_eggs": "10",
                 "processed_food": "13", "herbs_medicinal": "14", "beverages": "15", "handicrafts": "17"},
    "voso": {"rice_grain": "502", "vegetables": "501", "fruit": "501", "tea_coffee": "505", "honey": "504",
             "spices": "504", "dried_specialties": "504", "seafood": "501", "meat_poultry_eggs": "501",
             "processed_food": "504", "herbs_medicinal": "504", "beverages": "505", "handicrafts": "506"},
}


# Zalo ZNS templates per notice purpose outside production (the sandbox knows them); in production
# ZALO_TEMPLATES names the templates Zalo approved for the Official Account.
SANDBOX_ZALO_TEMPLATES = {"sign_in_code": "demo-sign-in-code", "new_order": "demo-new-order",
                          "parcel_received": "demo-parcel-received", "payment_received": "demo-payment-received",
                          "listing_rejected": "demo-listing-rejected",
                          "certificate_expiring": "demo-certificate-expiring"}


class ConfigError(RuntimeError):
    """Raised at start-up when a setting makes the app unsafe or unable to run."""


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs, whichever spelling the platform gives."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _demo(env, name: str) -> str:
    """A credential or secret: the variable, else its demo value (refused in production)."""
    return env.get(name, DEMO_DEFAULTS[name])


def _sandbox_url(env, name: str) -> str:
    """A base URL: the variable, else its path on the local sandbox (refused in production)."""
    return env.get(name, env.get("SANDBOX_URL", DEFAULT_SANDBOX_URL) + SANDBOX_PATHS[name])


def load_config(environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config from environment variables (see the README's configuration table)."""
    env = os.environ if environ is None else environ
    mode = env.get("CONNECTOR_ENV", "development")
    production = mode == "production"
    instance_dir = Path(env.get("CONNECTOR_INSTANCE_DIR", PROJECT_ROOT / "instance"))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'connector.sqlite3'}"
    redis_url = env.get("REDIS_URL") or DEFAULT_REDIS_URL
    config = {
        "ENV_NAME": mode,
        "SECRET_KEY": env.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # Connections idle for a while are tested before use: connector/db.py (not pool_pre_ping,
        # which costs a round trip on every transaction).
        # Statements' parameters (phones, names, account numbers) never reach an error message or a log.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": str(instance_dir),
        "MEDIA_ROOT": env.get("MEDIA_ROOT", str(instance_dir / "media")),
        # Locale and time: Vietnamese first, Vietnam's clock for display; UTC in the database.
        "BABEL_DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "vi"),
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("vi", "en"),
        # Sessions: the cookie is only sent over HTTPS in production.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("SESSION_HOURS", "12"))),
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open on a slow phone must still submit
        "API_TOKEN_TTL": timedelta(hours=int(env.get("API_TOKEN_TTL_HOURS", "12"))),
        # Rate limits live in Redis so that every web process shares the same counters.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", redis_url),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: limits are kept in this process's memory meanwhile (flask-limiter logs a
        # warning), so that staff can still sign in.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "5 per minute"),
        # Failed sign-ins per account, whatever the address (the form's and the API's counted together).
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 10 minutes"),
        # The public pay page, per address: a buyer opens it a few times; a scraper guessing codes, more.
        "PAY_PAGE_RATE_LIMIT": env.get("PAY_PAGE_RATE_LIMIT", "30 per minute"),
        # Number of proxies in front of the app whose X-Forwarded-For may be trusted.
        "PROXY_FIX_X_FOR": int(env.get("PROXY_FIX_X_FOR", "0")),
        # Farmers sign in with a code sent by SMS or the QR printed on their handover sheet (issue 12).
        "FARMER_CODE_MINUTES": int(env.get("FARMER_CODE_MINUTES", "10")),
        "FARMER_CODE_MAX_TRIES": 5,  # wrong tries per code
        "FARMER_CODE_SENDS": 3,  # codes per phone per FARMER_CODE_MINUTES
        # Wrong tries per phone in an hour, counted across resends, before the phone is locked for that hour.
        "FARMER_PHONE_MAX_FAILURES": int(env.get("FARMER_PHONE_MAX_FAILURES", "10")),
        # Per address (IP): code requests and code checks, whatever the phone.
        "FARMER_ADDRESS_LIMIT": env.get("FARMER_ADDRESS_LIMIT", "30 per hour"),
        "FARMER_LINK_DAYS": int(env.get("FARMER_LINK_DAYS", "7")),
        "FARMER_SESSION_DAYS": int(env.get("FARMER_SESSION_DAYS", "60")),
        # The site's host name, for the last line of the sign-in SMS ("@host #123456") that lets
        # Android and iOS offer the code; unset: the host the farmer asked for the code on.
        "PUBLIC_HOST": env.get("PUBLIC_HOST", ""),
        "OUTBOX_REDISPATCH_AFTER": timedelta(seconds=int(env.get("OUTBOX_REDISPATCH_SECONDS", "60"))),
        # A failed job is pushed again this many times, after 1, 2, 4... x OUTBOX_REDRIVE_SECONDS.
        "OUTBOX_MAX_REDRIVES": int(env.get("OUTBOX_MAX_REDRIVES", "3")),
        "OUTBOX_REDRIVE_SECONDS": float(env.get("OUTBOX_REDRIVE_SECONDS", "30")),
        # A delayed job still waiting this long after its time (its scheduler died) is queued directly.
        "OUTBOX_SCHEDULE_GRACE_SECONDS": float(env.get("OUTBOX_SCHEDULE_GRACE_SECONDS", "15")),
        # Workers (python -m workers): how often each one's dispatcher pushes the outbox and runs the
        # features' periodic tasks; where jobs run; how often RQ's maintenance runs (connector/jobs/worker.py).
        "WORKER_PERIODIC_SECONDS": float(env.get("WORKER_PERIODIC_SECONDS", "15")),
        "WORKER_CLASS": _worker_class(env),
        "WORKER_MAINTENANCE_SECONDS": int(env.get("WORKER_MAINTENANCE_SECONDS", "60")),
        # A worker sharing a machine with the web processes can let them have the CPU first: a page is
        # waited for in milliseconds, a job in seconds (issue 15's load measures 10). Not by default:
        # on SQLite, a starved worker holding the one write lock would hold up every page.
        "WORKER_NICENESS": _worker_niceness(env),
        # RQ logs four lines per job at INFO: with the periodic tasks every 15 s that is ~50 lines a
        # minute from an idle worker. WARNING keeps warnings and failed jobs; DEBUG (or INFO) shows every job.
        "WORKER_LOG_LEVEL": _worker_log_level(env),
        # flask-compress sends files (static CSS and JS) as streams, for which its default leaves gzip
        # out: a browser offering only gzip and deflate (any over plain HTTP) would get deflate or nothing.
        # Our files are a few KiB and read whole, so gzip is offered for them as for pages.
        "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br", "gzip", "deflate"],
        # OpenAPI document generated by flask-smorest from the marshmallow schemas.
        "API_TITLE": "Connector API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MARKETPLACES": marketplace_settings(env),
        "PUBLISH_MAX_ATTEMPTS": int(env.get("PUBLISH_MAX_ATTEMPTS", "12")),
        "PUBLISH_BACKOFF_SECONDS": float(env.get("PUBLISH_BACKOFF_SECONDS", "2")),
        "PUBLISH_BACKOFF_MAX_SECONDS": float(env.get("PUBLISH_BACKOFF_MAX_SECONDS", "300")),
        # A sync holds a per-listing lock at most this long (a killed worker's lock then expires);
        # a listing untouched for twice as long while queued or submitting is synced again.
        "SYNC_LOCK_SECONDS": float(env.get("SYNC_LOCK_SECONDS", "60")),
        # A listing under review this long is asked again (review results can be lost).
        "REVIEW_POLL_SECONDS": float(env.get("REVIEW_POLL_SECONDS", "600")),
        "CATEGORY_CACHE_SECONDS": int(env.get("CATEGORY_CACHE_SECONDS", "86400")),  # marketplaces' category lists
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB", "12")) * 1024 * 1024,
        # Payments: the largest amount a VietQR code may ask for (NAPAS fast transfers stop below 500M),
        # and the shared secret of the bank-notice service's signed webhooks.
        "VIETQR_MAX_AMOUNT": int(env.get("VIETQR_MAX_AMOUNT", "499999999")),
        "PAYMENTS_WEBHOOK_SECRET": _demo(env, "PAYMENTS_WEBHOOK_SECRET"),
        "SANDBOX_URL": env.get("SANDBOX_URL", DEFAULT_SANDBOX_URL),
        # Logistics: how far a parcel may be sent for pickup, and how often a process checks whether
        # the service points changed (then it rebuilds its in-memory index).
        "PICKUP_MAX_DISTANCE_KM": float(env.get("PICKUP_MAX_DISTANCE_KM", "15")),
        "SERVICE_POINT_INDEX_CHECK_SECONDS": float(env.get("SERVICE_POINT_INDEX_CHECK_SECONDS", "1")),
        "CARRIER": {
            "base_url": _sandbox_url(env, "CARRIER_BASE_URL"),
            "username": _demo(env, "CARRIER_USERNAME"),
            "password": _demo(env, "CARRIER_PASSWORD"),
            "signing_secret": _demo(env, "CARRIER_SIGNING_SECRET"),
            "webhook_secret": _demo(env, "CARRIER_WEBHOOK_SECRET"),
            "read_timeout": float(env.get("MARKETPLACE_READ_TIMEOUT", "10")),
        },
        "NOTICES": notice_settings(env, production),
        # A shipment not heard of for this long is asked for its status (webhooks can be lost).
        "CARRIER_POLL_SECONDS": float(env.get("CARRIER_POLL_SECONDS", "900")),
        "REMOTE_CALLS_REFUSE_OPEN_TRANSACTION": env.get("REMOTE_CALLS_REFUSE_OPEN_TRANSACTION", "1") != "0",
        # Where our categories go on each marketplace when no admin mapped them (see SANDBOX_CATEGORIES).
        "MARKETPLACE_CATEGORY_DEFAULTS": {} if production else {
            name: dict(table) for name, table in SANDBOX_CATEGORIES.items()},
    }
    if production:
        check_production(config, env)
    return config


WORKER_CLASSES = ("simple", "fork")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _worker_log_level(env) -> str:
    """How much RQ says: WARNING by default (failed jobs and warnings only), DEBUG to see every job."""
    value = (env.get("WORKER_LOG_LEVEL") or "WARNING").upper()
    if value not in LOG_LEVELS:
        raise ConfigError(f"WORKER_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return value


def _worker_niceness(env) -> int:
    """The worker's CPU niceness, 0 (as the web processes) to 19 (only the CPU nobody else wants)."""
    value = env.get("WORKER_NICENESS", "0").strip()
    if not value.isdigit() or int(value) > 19:
        raise ConfigError(f"WORKER_NICENESS must be a whole number from 0 to 19, not {value!r}")
    return int(value)


def _worker_class(env) -> str:
    """RQ's SimpleWorker (jobs in the worker process, the default) or its forking Worker."""
    value = env.get("WORKER_CLASS") or "simple"
    if value not in WORKER_CLASSES:
        raise ConfigError(f"WORKER_CLASS must be one of {', '.join(WORKER_CLASSES)}, not {value!r}")
    return value


def _storefronts(env, variable: str) -> dict[str, dict]:
    """Provincial storefronts: JSON {"<province code>": {credentials and secrets, base_url...}}.

    A province listed here sells through its own shop on the marketplace (its own account, webhooks
    at /api/v1/webhooks/<marketplace>/<province code>); the others use the national account.
    """
    raw = env.get(variable, "").strip()
    if not raw:
        return {}
    try:
        shops = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"{variable} is not valid JSON: {error}") from None
    if not isinstance(shops, dict) or not all(isinstance(k, str) and k.isdigit() and isinstance(v, dict)
                                               for k, v in shops.items()):
        raise ValueError(f'{variable} must map province codes to settings, e.g. {{"44": {{"client_id": "..."}}}}')
    return shops


def marketplace_settings(env) -> dict:
    """Base URLs and credentials per marketplace; the defaults point at the local sandbox.

    Pointing at the real services needs configuration only (the same variables, real values).
    """
    return {
        "postmart": {
            "base_url": _sandbox_url(env, "POSTMART_BASE_URL"),
            "client_id": _demo(env, "POSTMART_CLIENT_ID"),
            "client_secret": _demo(env, "POSTMART_CLIENT_SECRET"),
            "signing_secret": _demo(env, "POSTMART_SIGNING_SECRET"),
            "webhook_secret": _demo(env, "POSTMART_WEBHOOK_SECRET"),
            "read_timeout": float(env.get("MARKETPLACE_READ_TIMEOUT", "10")),
            "storefronts": _storefronts(env, "POSTMART_STOREFRONTS"),
        },
        "voso": {
            "base_url": _sandbox_url(env, "VOSO_BASE_URL"),
            "username": _demo(env, "VOSO_USERNAME"),
            "password": _demo(env, "VOSO_PASSWORD"),
            "signing_secret": _demo(env, "VOSO_SIGNING_SECRET"),
            "webhook_secret": _demo(env, "VOSO_WEBHOOK_SECRET"),
            "read_timeout": float(env.get("MARKETPLACE_READ_TIMEOUT", "10")),
            "storefronts": _storefronts(env, "VOSO_STOREFRONTS"),
        },
    }


def notice_settings(env, production: bool) -> dict:
    """The farmer-notice channels: brandname SMS, Zalo ZNS, Web Push (connector/notices/channels)."""
    return {
        "sms": {
            "base_url": _sandbox_url(env, "SMS_BASE_URL"),
            "api_key": _demo(env, "SMS_API_KEY"),
            "secret_key": _demo(env, "SMS_SECRET_KEY"),
            "brandname": env.get("SMS_BRANDNAME", "KETNOI"),
            "signing_secret": _demo(env, "SMS_SIGNING_SECRET"),
            "webhook_secret": _demo(env, "SMS_WEBHOOK_SECRET"),
            "cost_vnd": int(env.get("SMS_COST_VND", "750")),
            "read_timeout": float(env.get("NOTICES_READ_TIMEOUT", "10")),
        },
        "zalo": {
            "base_url": _sandbox_url(env, "ZALO_BASE_URL"),
            "access_token": _demo(env, "ZALO_ACCESS_TOKEN"),
            "oa_id": env.get("ZALO_OA_ID", ""),
            "signing_secret": _demo(env, "ZALO_SIGNING_SECRET"),
            "webhook_secret": _demo(env, "ZALO_WEBHOOK_SECRET"),
            "cost_vnd": int(env.get("ZALO_COST_VND", "300")),
            "templates": _json_object(env, "ZALO_TEMPLATES") or ({} if production else dict(SANDBOX_ZALO_TEMPLATES)),
            "read_timeout": float(env.get("NOTICES_READ_TIMEOUT", "10")),
        },
        "push": {
            "vapid_private_key": _demo(env, "WEB_PUSH_VAPID_PRIVATE_KEY"),
            "vapid_public_key": _demo(env, "WEB_PUSH_VAPID_PUBLIC_KEY"),
            "vapid_subject": _demo(env, "WEB_PUSH_VAPID_SUBJECT"),
            "read_timeout": float(env.get("NOTICES_READ_TIMEOUT", "10")),
        },
    }


def _json_object(env, variable: str) -> dict:
    raw = env.get(variable, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"{variable} is not valid JSON: {error}") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f'{variable} must be a JSON object of strings, e.g. {{"sign_in_code": "123456"}}')
    return value


def check_production(config: dict, env) -> None:
    """Refuse to start in production with settings that are only safe on a developer's machine."""
    problems = []
    if config["SECRET_KEY"] in ("", DEFAULT_SECRET_KEY) or len(config["SECRET_KEY"]) < 32:
        problems.append(
            "SECRET_KEY must be set to a random value of at least 32 characters "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    if not env.get("DATABASE_URL"):
        problems.append("DATABASE_URL must point at the production database (PostgreSQL)")
    if not env.get("REDIS_URL"):
        problems.append("REDIS_URL must point at the production Redis")
    demo = [name for name in DEMO_DEFAULTS if _is_demo_value(env.get(name))]
    for marketplace, names in STOREFRONT_SECRETS.items():
        variable = f"{marketplace.upper()}_STOREFRONTS"
        for province, shop in config["MARKETPLACES"][marketplace]["storefronts"].items():
            demo += [f'{variable}["{province}"].{key}' for key in names if _is_demo_value(shop.get(key))]
    if demo:
        problems.append("these must be set to the real credentials, not left unset or at a demo value: "
                        + ", ".join(demo))
    sandbox = env.get("SANDBOX_URL", DEFAULT_SANDBOX_URL)
    urls = [name for name in SANDBOX_PATHS if _is_sandbox_url(env.get(name), sandbox)]
    for marketplace in STOREFRONT_SECRETS:
        variable = f"{marketplace.upper()}_STOREFRONTS"
        for province, shop in config["MARKETPLACES"][marketplace]["storefronts"].items():
            if "base_url" in shop and _is_sandbox_url(shop["base_url"], sandbox):
                urls.append(f'{variable}["{province}"].base_url')
    if urls:
        problems.append("these must point at the real services, not the sandbox or this machine: " + ", ".join(urls))
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")


def _is_demo_value(value) -> bool:
    return not isinstance(value, str) or not value.strip() or value.startswith(DEMO_PREFIX) \
        or value in DEMO_DEFAULTS.values()


def _is_sandbox_url(value, sandbox: str) -> bool:
    """Unset (the sandbox default), on the sandbox, or on this machine."""
    if not isinstance(value, str) or not value.strip():
        return True
    return value.startswith(sandbox) or (urlsplit(value).hostname or "") in LOCAL_HOSTS
