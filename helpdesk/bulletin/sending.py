"""The monthly 通报 goes out: the delivery worker's periodic job `monthly_bulletin` (worker/jobs.py).

On the first working day of a month (or the next day the worker runs, when it was down), last month's
bulletin of every jurisdiction with active supervisors is claimed once (schedule.py) and, in the same
transaction, written to the outbox: to each active supervisor of the jurisdiction an in-app notice and
an email with the bulletin attached as DOCX and XLSX, in that supervisor's language; to each active
group robot of the jurisdiction (its supervisors' office) a message with the link to download it. The
worker sends them after the commit, like every other notice. Flush, never commit.
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from helpdesk.auth.models import Role, User
from helpdesk.bulletin import texts
from helpdesk.bulletin.schedule import bulletins_due, claim_bulletin
from helpdesk.bulletin.services import FORMATS, MIMETYPES, build_bulletin, bulletin_file, month_key, system_viewer
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction
from helpdesk.notifications.messages import N_, group_locale, render
from helpdesk.notifications.models import Channel, Robot
from helpdesk.notifications.preferences import delivery_channels
from helpdesk.notifications.services import enqueue, notify

KIND = "bulletin"
EMAIL_BODY = N_(
    "%(title)s is attached (a document and a workbook). You can also download it from the dashboard: %(link)s"
)
ROBOT_BODY = N_("%(title)s has been published. Supervisors can download it here: %(link)s")


def bulletin_link(jurisdiction: Jurisdiction, month: date, fmt: str = "docx") -> str:
    """Where a supervisor downloads the bulletin (after logging in): the dashboard's bulletin download."""
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return f"{base}/dashboard/bulletin?jurisdiction_id={jurisdiction.id}&month={month_key(month)}&format={fmt}"


def _attachments(jurisdiction: Jurisdiction, month: date, locale: str, now: datetime) -> list[dict]:
    bulletin = build_bulletin(system_viewer(), month=month, jurisdiction_id=jurisdiction.id, as_of=now, locale=locale)
    return [
        {
            "filename": bulletin.file_name(fmt),
            "content_type": MIMETYPES[fmt],
            "data": base64.b64encode(bulletin_file(bulletin, fmt)).decode("ascii"),
        }
        for fmt in FORMATS
    ]


def _params(jurisdiction: Jurisdiction, month: date, locale: str) -> dict:
    name = jurisdiction.display_name("en" if locale.startswith("en") else None)
    with force_locale(locale):
        return {"title": texts.title(name, month, locale), "month": texts.month_text(month, locale)}


def send_bulletin(jurisdiction: Jurisdiction, month: date, now: datetime) -> int:
    """Write the bulletin of (jurisdiction, month) to its supervisors and groups; the number of outbox rows."""
    supervisors = list(
        db.session.scalars(
            select(User)
            .where(User.jurisdiction_id == jurisdiction.id, User.role == Role.SUPERVISOR.value, User.active.is_(True))
            .order_by(User.id)
        )
    )
    rows = 0
    files: dict[str, list[dict]] = {}  # one rendering per language
    for user in supervisors:
        with_locale = _params(jurisdiction, month, user.locale)
        notify([user], KIND, None, now=now, deliver=False, **with_locale)
        if Channel.EMAIL not in delivery_channels(user):
            continue
        if user.locale not in files:
            files[user.locale] = _attachments(jurisdiction, month, user.locale, now)
        payload = {
            "kind": KIND,
            "subject": with_locale["title"],
            "body": render(EMAIL_BODY, user.locale, {**with_locale, "link": bulletin_link(jurisdiction, month)}),
            "attachments": files[user.locale],
        }
        enqueue(Channel.EMAIL, user.email, payload, now=now, recipient=user)
        rows += 1
    robots = db.session.scalars(
        select(Robot).where(Robot.active.is_(True), Robot.jurisdiction_id == jurisdiction.id).order_by(Robot.id)
    )
    locale = group_locale()
    for robot in robots:
        params = {**_params(jurisdiction, month, locale), "link": bulletin_link(jurisdiction, month)}
        payload = {"kind": KIND, "subject": params["title"], "body": render(ROBOT_BODY, locale, params)}
        enqueue(Channel(str(robot.kind)), robot.name, payload, now=now, robot=robot)
        rows += 1
    db.session.flush()
    return rows


def send_due_bulletins(now: datetime) -> str:
    """The job: every bulletin due now, each claimed once; a one-line summary for the worker's log."""
    sent = rows = 0
    for jurisdiction, month in bulletins_due(now):
        if not claim_bulletin(jurisdiction.id, month, now):
            continue  # another worker has it
        rows += send_bulletin(jurisdiction, month, now)
        sent += 1
    return f"{sent} bulletins, {rows} messages queued"
