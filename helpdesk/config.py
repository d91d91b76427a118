"""Configuration: one class per HELPDESK_ENV, values read from the environment (PRODUCT.md §9)."""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# Values that ship in this repository and therefore can never be a production secret.
KNOWN_SECRETS = frozenset({"dev-secret-key-not-for-production", "testing-secret-key", "change-me"})


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _score_weights() -> dict[str, float]:
    """SCORE_WEIGHTS as "0.10,0.50,0.40" (response, completion, satisfaction) or a JSON object."""
    raw = os.environ.get("SCORE_WEIGHTS", "0.10,0.50,0.40").strip()
    if raw.startswith("{"):
        data = json.loads(raw)
        return {k: float(data[k]) for k in ("response_rate", "completion_rate", "satisfaction_rate")}
    response, completion, satisfaction = (float(x) for x in raw.split(","))
    return {"response_rate": response, "completion_rate": completion, "satisfaction_rate": satisfaction}


def engine_options(url: str) -> dict:
    """Fail fast when the database is down (503 at once, not a hung worker), recover by itself."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # No JIT: it compiles a report's expressions for ~0.3 s on every run, more than it saves on queries of
        # this size (PostgreSQL's own advice for short queries). Joins in the order written: a ticket with
        # its seven many-to-one relations (tickets/queries.py with_ticket_details) took 35 ms to plan and
        # 1 ms to run while the planner searched every join order; written tickets-first it plans in 1 ms.
        options["connect_args"] = {"connect_timeout": 3, "options": "-c jit=off -c join_collapse_limit=1"}
        options["pool_recycle"] = 1800
    return options


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key-not-for-production")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'helpdesk.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = engine_options(SQLALCHEMY_DATABASE_URI)
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    COMPLETION_TARGET = _env_float("COMPLETION_TARGET", 0.99)
    SCORE_WEIGHTS = _score_weights()
    RED_AFTER_DAYS = _env_int("RED_AFTER_DAYS", 3)
    AUTO_CLOSE_DAYS = _env_int("AUTO_CLOSE_DAYS", 5)
    CALLBACK_DAYS = _env_int("CALLBACK_DAYS", 30)  # the callback queue: tickets completed in the last N days
    CALLBACK_SAMPLE_PERCENT = _env_int("CALLBACK_SAMPLE_PERCENT", 30)  # … of which this share of the rated ones
    DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "zh_CN")
    BABEL_DEFAULT_LOCALE = DEFAULT_LOCALE
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024 + 64 * 1024  # 10 MB file plus multipart overhead
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "helpdesk@localhost")
    # Development prints mail instead of needing an SMTP server; production sends it.
    MAIL_SUPPRESS_SEND = os.environ.get("MAIL_SUPPRESS_SEND", "true").lower() in ("1", "true", "yes")
    # Delivery (PRODUCT.md §10): the outbox, its worker (`flask worker`) and the channels beside email.
    NOTIFY_BY_EMAIL = os.environ.get("NOTIFY_BY_EMAIL", "true").lower() in ("1", "true", "yes")
    SMTP_TIMEOUT = _env_float("SMTP_TIMEOUT", 10)
    HTTP_TIMEOUT = _env_float("HTTP_TIMEOUT", 5)
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")  # unset: no SMS is written to the outbox
    SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY")
    SMS_GATEWAY_SECRET = os.environ.get("SMS_GATEWAY_SECRET")
    SMS_TEMPLATE_ID = os.environ.get("SMS_TEMPLATE_ID")
    OUTBOX_BATCH = _env_int("OUTBOX_BATCH", 20)
    OUTBOX_LEASE_SECONDS = _env_int("OUTBOX_LEASE_SECONDS", 300)
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_RETRY_BASE_SECONDS = _env_float("OUTBOX_RETRY_BASE_SECONDS", 30)
    OUTBOX_RETRY_MAX_SECONDS = _env_float("OUTBOX_RETRY_MAX_SECONDS", 3600)
    WORKER_POLL_SECONDS = _env_float("WORKER_POLL_SECONDS", 2)
    SWEEP_INTERVAL_SECONDS = _env_int("SWEEP_INTERVAL_SECONDS", 300)
    # How often the worker asks whether a monthly bulletin is due (it goes out once, on the first working day).
    BULLETIN_INTERVAL_SECONDS = _env_int("BULLETIN_INTERVAL_SECONDS", 3600)
    # The address people open the helpdesk at, for links in messages (the bulletin's link in the groups).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000")
    # The similarity index (common issues): a batch of new tickets every so often, off the filing request.
    SIMILARITY_INTERVAL_SECONDS = _env_int("SIMILARITY_INTERVAL_SECONDS", 10)
    API_TOKEN_DAYS = _env_int("API_TOKEN_DAYS", 30)
    LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "5 per minute")
    # Security (docs/SECURITY.md): page sessions, account lockout, password age, the security log's retention.
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)
    LOCKOUT_FAILURES = _env_int("LOCKOUT_FAILURES", 10)
    LOCKOUT_WINDOW_MINUTES = _env_int("LOCKOUT_WINDOW_MINUTES", 30)
    LOCKOUT_MINUTES = _env_int("LOCKOUT_MINUTES", 30)
    LOGIN_COUNTERS_URL = REDIS_URL  # failed-login counters: Redis when set, the database otherwise
    LOGIN_COUNTER_PREFIX = os.environ.get("LOGIN_COUNTER_PREFIX", "helpdesk")  # Redis keys of the failure counters
    PASSWORD_MAX_DAYS = _env_int("PASSWORD_MAX_DAYS", 0)  # 0: passwords do not expire
    SECURITY_LOG_RETENTION_DAYS = _env_int("SECURITY_LOG_RETENTION_DAYS", 180)
    HSTS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    BOOTSTRAP_SERVE_LOCAL = True  # government intranets have no internet: no CDN
    API_TITLE = "Enterprise Assistance Helpdesk API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    MAIL_SUPPRESS_SEND = True
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_COUNTERS_URL = None  # the database, inside each test's rolled-back transaction


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    MAIL_SUPPRESS_SEND = os.environ.get("MAIL_SUPPRESS_SEND", "false").lower() in ("1", "true", "yes")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True  # Strict-Transport-Security: the reverse proxy terminates TLS


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


def load_config(env_name: str | None = None) -> type[Config]:
    name = env_name or os.environ.get("HELPDESK_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"HELPDESK_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


# 等保 2.0 asks for security audit records to be kept at least six months.
MIN_SECURITY_LOG_RETENTION_DAYS = 180


def check_security_settings(config) -> None:
    """Refuse settings that would break a security promise (docs/SECURITY.md)."""
    if int(config.get("SECURITY_LOG_RETENTION_DAYS", 0)) < MIN_SECURITY_LOG_RETENTION_DAYS:
        raise ConfigError(f"SECURITY_LOG_RETENTION_DAYS must be at least {MIN_SECURITY_LOG_RETENTION_DAYS} (days).")
    for name in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "LOCKOUT_FAILURES", "LOCKOUT_WINDOW_MINUTES"):
        if int(config.get(name, 0)) < 1:
            raise ConfigError(f"{name} must be a positive number.")


def check_production_secret(secret: str | None) -> None:
    """Production refuses to start without a real SECRET_KEY (PRODUCT.md §9)."""
    if not secret or len(secret) < 32 or secret in KNOWN_SECRETS:
        raise ConfigError(
            "Set SECRET_KEY to a random value of at least 32 characters "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
