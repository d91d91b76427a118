"""Flask-Login wiring: sessions for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask

from helpdesk.extensions import db, login_manager


def init_login(app: Flask) -> None:
    from helpdesk.auth.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
