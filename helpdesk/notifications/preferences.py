"""Which channels reach a person: in-app always; email when they have one and keep it on; SMS when they
have a mobile number and want it (enterprise users by default, PRODUCT.md §10)."""

from __future__ import annotations

from flask import current_app

from helpdesk.auth.models import Role, User
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.notifications.models import Channel


def wants_sms(user: User) -> bool:
    """The user's choice, or the default: on for enterprise users (they rarely read email), off otherwise."""
    if not user.mobile:
        return False
    return user.sms_notices if user.sms_notices is not None else user.role == Role.ENTERPRISE


def chosen_channels(user: User) -> list[Channel]:
    """The channels beside in-app that this user chose (whatever the deployment has switched on)."""
    chosen = []
    if user.email and user.email_notices:
        chosen.append(Channel.EMAIL)
    if wants_sms(user):
        chosen.append(Channel.SMS)
    return chosen


def delivery_channels(user: User) -> list[Channel]:
    """The channels a notice to this user is written to the outbox for, in this deployment."""
    config = current_app.config
    if not config.get("NOTIFY_EXTERNAL", True):
        return []
    channels = chosen_channels(user)
    if not config.get("NOTIFY_BY_EMAIL", True) and Channel.EMAIL in channels:
        channels.remove(Channel.EMAIL)
    if not config.get("SMS_GATEWAY_URL") and Channel.SMS in channels:
        channels.remove(Channel.SMS)
    return channels


def set_channels(user: User, *, email: bool, sms: bool) -> User:
    """The user's own choice of channels (profile page, PATCH /users/me); in-app cannot be switched off."""
    if sms and not user.mobile:
        raise ValidationFailed("Text messages need a mobile number: ask an administrator to add yours.", field="sms")
    user.email_notices = bool(email)
    if user.mobile:
        user.sms_notices = bool(sms)
    db.session.flush()
    return user
