"""Locale and time zone selection, and template helpers for times in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, support
from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import Domain, get_domain, get_locale
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
    """After Babel's init_app: its gettext callables are replaced by template_gettext_callables'."""
    app.jinja_env.filters["localtime"] = local_time
    template_gettext_callables(app)

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or app.config["DEFAULT_LOCALE"])}


def catalog(name: str | None) -> support.Translations:
    """The catalog of a reader's language ("zh_CN", "en"; None: the request's), without entering force_locale:
    notices and routing sentences are written in each reader's language, and force_locale (which refreshes
    Flask-Babel's state on the way in and out) was most of the time of writing one."""
    domain = get_domain()  # a CatalogDomain (extensions.py)
    return domain.get_translations() if name is None else domain.catalog_named(name)


def translate(translations, string: str, **variables) -> str:
    """flask_babel.gettext with the catalog at hand."""
    text = translations.ugettext(string)
    return text % variables if variables else text


def request_catalog():
    """The catalog this request last used, if it is still for the request's locale; else None."""
    try:
        store = g._get_current_object()
    except RuntimeError:  # outside an app context
        return None
    last = store.__dict__.get("_catalog")
    babel = store.__dict__.get("_flask_babel")
    if last is None or babel is None or getattr(babel, "babel_locale", None) is not last[0]:
        return None
    return last[1]


def template_gettext_callables(app: Flask) -> None:
    """Jinja's gettext and ngettext straight to the request's catalog (Flask-Babel's go through its context twice).
    Call after Babel's init_app, which installs its own."""

    def translations():
        return request_catalog() or get_domain().get_translations()

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


class CatalogDomain(Domain):
    """Flask-Babel's message domain, finding the catalogs by the names the app uses (zh_CN).

    Babel parses "zh_CN" as zh_Hans_CN, for which gettext looks in zh_Hans_CN/ and zh/ but never in
    zh_CN/, so without this every Chinese page and notification would silently stay in English.
    """

    def get_translations(self):
        # Every gettext of a page asks for the catalog (a dashboard ~700 times): the request keeps the last one,
        # for the locale object it was found for (force_locale brings another object, and finds its own). The
        # kept one is read with one lookup of `g`: Flask-Babel's own path (its context, then get_locale) took
        # a dozen, and was a tenth of a county supervisor's dashboard.
        kept = request_catalog()
        if kept is not None:
            return kept
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        translations = self._catalog(locale)
        if has_app_context():
            g._catalog = (locale, translations)
        return translations

    def catalog_named(self, name: str):
        """The catalog of the language named `name` ("zh_CN", "en"), found as force_locale(name) finds it."""
        key = ("by name", name, self.domain[0])
        translations = self.cache.get(key)
        if translations is None:
            translations = self.cache[key] = self._catalog(Locale.parse(name))
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
