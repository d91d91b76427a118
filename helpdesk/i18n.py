"""Locale and time zone selection, and template helpers for times in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import support
from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import Domain, get_locale
from flask_login import current_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def select_locale() -> str:
    """The user's preference, then the session's switch (anonymous visitors), then Accept-Language, then DEFAULT_LOCALE.

    An API caller is the bearer token's user (api/auth.py): its requests neither read the session cookie nor load a
    user from it (the session's signing and Flask-Login's loading were a tenth of a GET of a ticket)."""
    languages = current_app.config["LANGUAGES"]
    caller = g.get("api_user")
    if caller is not None:
        return caller.locale if caller.locale in languages else current_app.config["DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
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


class CatalogDomain(Domain):
    """Flask-Babel's message domain, finding the catalogs by the names the app uses (zh_CN).

    Babel parses "zh_CN" as zh_Hans_CN, for which gettext looks in zh_Hans_CN/ and zh/ but never in
    zh_CN/, so without this every Chinese page and notification would silently stay in English.
    """

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        # Every gettext of a page asks for the catalog (a dashboard ~350 times): the request keeps the last one,
        # for the locale object it was found for (force_locale brings another object, and finds its own).
        last = g.get("_catalog") if has_app_context() else None
        if last is not None and last[0] is locale:
            return last[1]
        translations = self._catalog(locale)
        if has_app_context():
            g._catalog = (locale, translations)
        return translations

    def _catalog(self, locale):
        key = (str(locale), self.domain[0])
        translations = self.cache.get(key)
        if translations is None:
            names = [str(locale)]
            if locale.territory:
                names.insert(0, f"{locale.language}_{locale.territory}")
            translations = support.Translations()
            for dirname in self.translation_directories:
                catalog = support.Translations.load(dirname, names, self.domain[0])
                translations.merge(catalog)
                if hasattr(catalog, "plural"):
                    translations.plural = catalog.plural
            self.cache[key] = translations
        return translations
