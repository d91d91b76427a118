"""When the monthly bulletins go out: on the first working day of each month, last month's, for every
jurisdiction that has supervisors, once. The delivery worker (issue 11) asks `bulletins_due(now)`,
claims each one with `claim_bulletin` in the transaction that queues its sending, and attaches
`render_bulletin(...)` (services.py). Flush, never commit.

A bulletin missed on its day (the worker was down) is still due on the following days of the month;
one already claimed is never due again, whichever worker claimed it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk.auth.models import Role, User
from helpdesk.bulletin.models import BulletinRun
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import WorkCalendar, local_date
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction
from helpdesk.reports.dashboard import month_start


def first_working_day(month: date, calendar: WorkCalendar | None = None) -> date:
    """The first working day of `month` (调休 make-up days count: 2026-01-04 was a Sunday at work)."""
    calendar = calendar or get_calendar()
    day = month_start(month)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def bulletins_due(now: datetime | None = None) -> list[tuple[Jurisdiction, date]]:
    """(jurisdiction, month) of every bulletin to send now: last month's, from this month's first working
    day on, for each jurisdiction with an active supervisor, unless already claimed. Ordered by code."""
    today = local_date(now or utcnow())
    if today < first_working_day(today):
        return []
    month = month_start(today, 1)
    claimed = select(BulletinRun.jurisdiction_id).where(BulletinRun.month == month)
    supervised = select(User.jurisdiction_id).where(
        User.role == Role.SUPERVISOR.value, User.active.is_(True), User.jurisdiction_id.is_not(None)
    )
    query = (
        select(Jurisdiction)
        .where(Jurisdiction.id.in_(supervised), Jurisdiction.id.not_in(claimed))
        .order_by(Jurisdiction.code)
    )
    return [(jurisdiction, month) for jurisdiction in db.session.scalars(query)]


def claim_bulletin(jurisdiction_id: int, month: date, now: datetime | None = None) -> bool:
    """Mark the bulletin of (jurisdiction, month) as sent; False when it already was (by another worker,
    say): then do not send it. Commit together with the sending it stands for."""
    savepoint = db.session.begin_nested()
    try:
        db.session.add(BulletinRun(jurisdiction_id=jurisdiction_id, month=month_start(month), sent_at=now or utcnow()))
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
