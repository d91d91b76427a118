"""Locale and time zone selection, and template helpers for times in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, session
from flask_login import current_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def select_locale() -> str:
    """The user's preference, then the session's switch, then Accept-Language, then DEFAULT_LOCALE."""
    languages = current_app.config["LANGUAGES"]
    if session.get("locale") in languages:
        return session["locale"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"]) if request else None
    if best == "en":
        return "en"
    if best in ("zh", "zh_CN"):
        return "zh_CN"
    return current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    return "Asia/Shanghai"


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)


def init_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_time

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or app.config["DEFAULT_LOCALE"])}
