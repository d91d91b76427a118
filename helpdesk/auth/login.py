"""Flask-Login wiring: revocable page sessions (auth/sessions.py), bearer tokens for the API.

The cookie carries a session token, not the user id (`id_attribute`), so a copied cookie dies with its
session. Remember-me is not offered (login_user is never asked to remember); a remember cookie would
carry the same session token and die with it too.
"""

from __future__ import annotations

from flask import Flask

from helpdesk.extensions import db, login_manager


def init_login(app: Flask) -> None:
    from helpdesk.auth.models import User
    from helpdesk.auth.sessions import load_session_user
    from helpdesk.db import utcnow

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.id_attribute = "get_session_token"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user = load_session_user(token, utcnow())
        if db.session.dirty:  # a session that ran out was ended, or last_seen_at refreshed (once a minute)
            db.session.commit()
        return user
