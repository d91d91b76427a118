"""Every feature's models, imported in one place so that metadata (and Alembic) sees them all."""

from helpdesk.audit.models import AdminAuditLog
from helpdesk.auth.models import ApiToken, Role, User
from helpdesk.bulletin.models import BulletinRun
from helpdesk.calendar.models import HolidayOverride
from helpdesk.callbacks.models import Callback
from helpdesk.enterprises.models import Enterprise
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, Level, RoutingRule
from helpdesk.notifications.models import Notification
from helpdesk.tickets.models import (
    Attachment,
    Comment,
    Ticket,
    TicketCohandler,
    TicketEvent,
    TicketSequence,
)

__all__ = [
    "AdminAuditLog",
    "ApiToken",
    "Attachment",
    "BulletinRun",
    "Callback",
    "Category",
    "Comment",
    "Department",
    "Enterprise",
    "HolidayOverride",
    "Jurisdiction",
    "Level",
    "Notification",
    "Role",
    "RoutingRule",
    "Ticket",
    "TicketCohandler",
    "TicketEvent",
    "TicketSequence",
    "User",
]
