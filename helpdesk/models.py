"""Every feature's models, imported in one place so that metadata (and Alembic) sees them all."""

from helpdesk.audit.models import AdminAuditLog, SecurityEvent
from helpdesk.auth.models import ApiToken, LoginFailure, Role, User, UserSession
from helpdesk.bulletin.models import BulletinRun
from helpdesk.calendar.models import HolidayOverride
from helpdesk.callbacks.models import Callback
from helpdesk.common_issues.models import CommonIssue, CommonIssueEvent, TermStat, TicketNeighbour, TicketTerm
from helpdesk.enterprises.models import Enterprise
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, Level, RoutingRule
from helpdesk.notifications.models import Notification, OutboxMessage, Robot
from helpdesk.reference import ReferenceStamp
from helpdesk.reports.rollup import OutcomeCount
from helpdesk.tickets.counts import TicketCount
from helpdesk.tickets.models import (
    Attachment,
    Comment,
    Ticket,
    TicketCohandler,
    TicketEvent,
    TicketSequence,
)
from helpdesk.worker.models import JobLock

__all__ = [
    "AdminAuditLog",
    "ApiToken",
    "Attachment",
    "BulletinRun",
    "Callback",
    "Category",
    "Comment",
    "CommonIssue",
    "CommonIssueEvent",
    "Department",
    "Enterprise",
    "HolidayOverride",
    "JobLock",
    "Jurisdiction",
    "Level",
    "LoginFailure",
    "Notification",
    "OutboxMessage",
    "OutcomeCount",
    "ReferenceStamp",
    "Robot",
    "Role",
    "RoutingRule",
    "SecurityEvent",
    "TermStat",
    "Ticket",
    "TicketCohandler",
    "TicketCount",
    "TicketEvent",
    "TicketNeighbour",
    "TicketSequence",
    "TicketTerm",
    "User",
    "UserSession",
]
