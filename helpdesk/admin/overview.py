"""Admin pages: the overview (counts of every kind of record, failed deliveries, recent changes, calendar warnings)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from helpdesk.admin.blueprint import actors_of, bp, calendar_warning
from helpdesk.audit.models import AdminAuditLog
from helpdesk.auth.models import Role, User
from helpdesk.calendar.models import HolidayOverride
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, RoutingRule
from helpdesk.notifications.outbox import failed_count
from helpdesk.pages import home_page
from helpdesk.tickets.models import Ticket


@bp.get("/")
@home_page(Role.ADMIN)
def index():
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "enterprises": db.session.scalar(select(func.count()).select_from(Enterprise)),
        "departments": db.session.scalar(select(func.count()).select_from(Department)),
        "categories": db.session.scalar(select(func.count()).select_from(Category)),
        "routing_rules": db.session.scalar(select(func.count()).select_from(RoutingRule)),
        "holidays": db.session.scalar(select(func.count()).select_from(HolidayOverride)),
        "tickets": db.session.scalar(select(func.count()).select_from(Ticket)),
        "failed_deliveries": failed_count(),
    }
    recent = list(db.session.scalars(select(AdminAuditLog).order_by(AdminAuditLog.id.desc()).limit(8)))
    actors = actors_of(recent)
    return render_template("admin/index.html", counts=counts, unknown=calendar_warning(), recent=recent, actors=actors)
