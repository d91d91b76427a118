"""The demo's callbacks (回访, issue 15): what the supervisors' callback queue would have had them do."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.callbacks.queries import sample_bucket
from helpdesk.callbacks.services import record_callback
from helpdesk.seeding.demo_flow import at
from helpdesk.seeding.demo_text import NOTES
from helpdesk.tickets.models import Ticket

CALLBACK_HISTORY_DAYS = 120  # tickets closed in the last four months


def call_back(builder, ticket: Ticket, closed: datetime) -> None:
    """回访 as the callback queue asks for it: in the last CALLBACK_HISTORY_DAYS the county's supervisor calls
    back every auto-closed ticket and the sample of the rated ones a few working days after it closed;
    most companies answer, and a few say it is not really solved (the ticket reopens, and is resolved again
    a few days later unless that is still to come). A generator of its
    own, so that the rest of the story does not change with it."""
    config = current_app.config
    if closed < builder.now - timedelta(days=CALLBACK_HISTORY_DAYS):
        return
    if ticket.rating is not None and sample_bucket(ticket.id) >= int(config.get("CALLBACK_SAMPLE_PERCENT", 30)):
        return
    rng = builder.callback_rng
    day = builder.cal.add_working_days(closed.astimezone(SHANGHAI).date(), rng.randint(1, 4))
    when = max(at(day, rng.uniform(9, 17.5)), closed + timedelta(minutes=20))
    if when >= builder.now:
        return  # still in the queue
    reached = rng.random() < 0.9
    solved = (rng.random() < 0.96) if reached else None
    rating = None
    if reached and ticket.rating is None:
        rating = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), (80, 15, 5))[0]
    note = None if solved is not False else NOTES["not_solved"]
    record_callback(builder.supervisor_for(ticket), ticket, reached=reached, solved=solved, rating=rating,
                    note=note, now=when)  # fmt: skip
    if solved is False:  # reopened: the handler finishes the job, the company confirms (the recheck call is due)
        again = at(builder.cal.add_working_days(when.astimezone(SHANGHAI).date(), rng.randint(2, 4)), 16.0)
        builder.act(ticket.assignee, ticket, "resolve", again, note=NOTES["resolve_again"])
        confirmed = at(builder.cal.add_working_days(again.astimezone(SHANGHAI).date(), 1), 10.0)
        builder.act(builder.company_user(ticket), ticket, "confirm", confirmed, rating="basically_satisfied")
