"""Enterprise Assistance Helpdesk (万人助万企): the application factory."""

from __future__ import annotations

import logging
import os

from flask import Flask

from helpdesk.config import (
    ROOT,
    ConfigError,
    check_production_secret,
    check_security_settings,
    engine_options,
    load_config,
)
from helpdesk.jsonio import OrjsonProvider


def create_app(env_name: str | None = None, **overrides) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, commands."""
    if not (ROOT / "templates").is_dir():  # templates/, seeds/, migrations/ sit beside the package
        raise ConfigError(f"No templates/ in {ROOT}: run the app from a checkout or an unpacked sdist.")
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    app.json = OrjsonProvider(app)
    config = load_config(env_name)
    app.config.from_object(config)
    app.config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides and "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
        # The options of the database given (the class's follow DATABASE_URL): PostgreSQL's no-JIT and join order.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["ENV_NAME"] == "production":
        check_production_secret(app.config.get("SECRET_KEY"))
    check_security_settings(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_security_headers(app)
    return app


def register_extensions(app: Flask) -> None:
    from helpdesk import models  # noqa: F401 - every model must be known to metadata
    from helpdesk.auth.login import init_login
    from helpdesk.extensions import babel, bootstrap, csrf, db, limiter, migrate
    from helpdesk.i18n import select_locale, select_timezone

    db.init_app(app)
    from helpdesk.dbsetup import remove_session_safely

    remove_session_safely(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_login(app)
    from helpdesk.i18n import init_template_helpers
    from helpdesk.pages import register_template_helpers

    init_template_helpers(app)
    register_template_helpers(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from helpdesk.dbsetup import configure_sqlite

        configure_sqlite(app)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from helpdesk.dbsetup import configure_postgresql

        configure_postgresql(app)


def register_blueprints(app: Flask) -> None:
    from helpdesk.admin import bp as admin_bp
    from helpdesk.api import init_api
    from helpdesk.auth.views import bp as auth_bp
    from helpdesk.bulletin.views import bp as bulletin_bp
    from helpdesk.callbacks.views import bp as callbacks_bp
    from helpdesk.common_issues.views import bp as common_issues_bp
    from helpdesk.enterprises.views import bp as enterprises_bp
    from helpdesk.health import bp as health_bp
    from helpdesk.main.views import bp as main_bp
    from helpdesk.notifications.views import bp as notifications_bp
    from helpdesk.reports.views import bp as reports_bp
    from helpdesk.tickets import detail  # noqa: F401 - the ticket page's routes, on the tickets blueprint
    from helpdesk.tickets.views import bp as tickets_bp

    for bp in (health_bp, auth_bp, main_bp, tickets_bp, enterprises_bp, reports_bp, notifications_bp, callbacks_bp):
        app.register_blueprint(bp)
    app.register_blueprint(bulletin_bp)
    app.register_blueprint(common_issues_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    init_api(app)


def register_error_handlers(app: Flask) -> None:
    from helpdesk.errors import init_error_handlers

    init_error_handlers(app)


def register_commands(app: Flask) -> None:
    from helpdesk.audit.cli import security_cli
    from helpdesk.auth.cli import users_cli
    from helpdesk.backups.cli import backup_command, restore_command
    from helpdesk.common_issues.cli import similarity_cli
    from helpdesk.seeding.cli import seed_command
    from helpdesk.tickets.cli import sla_cli
    from helpdesk.worker.cli import worker_command

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(sla_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(security_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(similarity_cli)


def register_security_headers(app: Flask) -> None:
    from helpdesk.security import add_security_headers

    app.after_request(add_security_headers)


__all__ = ["ConfigError", "create_app"]
