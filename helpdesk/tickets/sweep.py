"""The periodic sweep (PRODUCT.md §5): warn each colour change once, one digest per person (and per group
robot), and auto-close resolved tickets the enterprise has not answered. Safe to run often; flush, never
commit. The delivery worker runs it on a schedule (helpdesk/worker/jobs.py); `flask sla sweep` too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from helpdesk.auth.models import Role, User
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications.messages import ROBOT_MESSAGES, group_locale, render
from helpdesk.notifications.services import active_robots, notify, robots_for, send_digest, send_robot_digest
from helpdesk.tickets import deadlines
from helpdesk.tickets.changes import config, flush
from helpdesk.tickets.models import WARNING_RANK, Colour, Status, Ticket
from helpdesk.tickets.services import perform_action


@dataclass
class SweepResult:
    checked: int = 0
    worse: int = 0
    auto_closed: int = 0
    emails: int = 0
    by_colour: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        colours = ", ".join(f"{k} {v}" for k, v in sorted(self.by_colour.items())) or "none"
        return (
            f"sweep: {self.checked} warned tickets checked, {self.worse} turned worse ({colours}), "
            f"{self.auto_closed} auto-closed, {self.emails} digest emails"
        )


def auto_close_cutoff(today: date, working_days: int) -> date:
    """The latest resolution day that has had `working_days` working days without an answer by `today`."""
    cal = get_calendar()
    # Count whole working days strictly before today: the enterprise keeps all of the last one.
    day, counted = today - timedelta(days=1), 0
    while counted < working_days:
        if cal.is_workday(day):
            counted += 1
        day -= timedelta(days=1)
    return day


def supervisors_of(ticket: Ticket) -> list[User]:
    """Supervisors of the enterprise's county and of where the ticket is handled now."""
    ids = {ticket.jurisdiction_id, ticket.handling_jurisdiction_id}
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.SUPERVISOR, User.active.is_(True), User.jurisdiction_id.in_(ids))
        )
    )


def sweep(now: datetime | None = None) -> SweepResult:
    """Notify each colour change once (one digest email per person), and auto-close resolved tickets."""
    now = now or utcnow()
    result = SweepResult()
    colour = Ticket.warning_sql(now).label("colour")
    rows = db.session.execute(
        select(Ticket, colour).where(
            Ticket.status.in_([Status.SUBMITTED.value, Status.ASSIGNED.value, Status.IN_PROGRESS.value]),
            (colour != Colour.GREEN.value) | Ticket.notified_warning.is_not(None),
        )
    ).all()
    digests: dict[int, tuple[User, list[str], list[str]]] = {}
    robots = active_robots()
    group_digests: dict[int, tuple[object, list[str]]] = {}
    for ticket, current in rows:
        result.checked += 1
        current_warning = Colour(current) if current else None
        notified = Colour(ticket.notified_warning) if ticket.notified_warning else None
        if WARNING_RANK[current_warning] > WARNING_RANK[notified] and current_warning != Colour.GREEN:
            result.worse += 1
            result.by_colour[current] = result.by_colour.get(current, 0) + 1
            recipients = [ticket.assignee, *supervisors_of(ticket)]
            for note in notify(recipients, "warning", ticket, now=now, deliver=False, colour=current):
                user = db.session.get(User, note.user_id)
                _, lines, numbers = digests.setdefault(user.id, (user, [], []))
                lines.append(note.message)
                numbers.append(ticket.number)
            for robot in robots_for("warning", ticket, robots):
                group_digests.setdefault(robot.id, (robot, []))[1].append(robot_line(ticket, current))
        if current_warning != notified:
            # Improvements (after an extension, say) are remembered silently, so a later slip notifies again.
            ticket.notified_warning = None if current_warning in (None, Colour.GREEN) else current_warning.value
    cutoff = auto_close_cutoff(local_date(now), config("AUTO_CLOSE_DAYS"))
    stale = db.session.scalars(
        select(Ticket).where(Ticket.status == Status.RESOLVED.value, Ticket.resolved_at <= deadlines.end_of_day(cutoff))
    ).all()
    for ticket in stale:
        perform_action(None, ticket, "auto_close", now=now)
        result.auto_closed += 1
    flush()
    for user, lines, numbers in digests.values():
        send_digest(user, lines, now, numbers)
        result.emails += 1
    for robot, lines in group_digests.values():
        send_robot_digest(robot, lines, now)
    return result


def robot_line(ticket: Ticket, colour: str) -> str:
    """A warning's line in a group's digest (the groups' language)."""
    return render(
        ROBOT_MESSAGES["warning"], group_locale(), {"number": ticket.number, "title": ticket.title, "colour": colour}
    )
