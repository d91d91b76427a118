"""Tickets read for the API's JSON from plain rows: one statement, no ORM objects (issue 13).

`GET /api/v1/tickets/{id}` and the list only show tickets; they change nothing. Loading a ticket as an ORM object
with its eight many-to-one relations joined (category, enterprise, both jurisdictions, department, assignee,
liaison, common issue) cost more than the statement itself: building the eight loaders' row processors and nine
objects per row (350 µs for one ticket against 130 µs for its row; 1.4 ms for a page of 25 against 0.64 ms on
SQLite). Here the same statement — the caller's visibility, filters and ordering untouched — selects the columns
that `TicketSchema` shows from the same joins, and each row becomes a `TicketRow`: the attributes the schema reads,
and the model's own rules (`Ticket.warning_at`, `Ticket.handling_level`, `display_name`) borrowed, not written
again. tests/tickets/test_reads.py dumps every ticket of a varied set both ways and compares them.

Everything that writes (filing, actions, comments) still loads `Ticket` objects: a `TicketRow` has no session.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Row, Select
from sqlalchemy.orm import aliased

from helpdesk.api.common import Reader
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.routing import remember_names

# The columns `Ticket.warning_at` reads besides those the JSON shows.
WARNING_COLUMNS = (
    "status",
    "reopen_count",
    "response_due_at",
    "yellow_from",
    "due_at",
    "red_from",
    "first_response_at",
)


def _ticket_fields() -> tuple[str, ...]:
    """The ticket's own columns its JSON shows (TicketSchema's fields named as a column) and its rules read."""
    from helpdesk.tickets.schemas import TicketSchema

    columns = Ticket.__table__.c
    shown = [name for name in TicketSchema._declared_fields if name in columns]
    return (*shown, *(name for name in WARNING_COLUMNS if name not in shown))


TICKET_FIELDS = _ticket_fields()


class Named:
    """A category, jurisdiction, department, person, enterprise or common issue as a ticket's JSON shows it
    (only the fields of its `REFS` entry are set)."""

    __slots__ = ("id", "code", "name", "name_en", "level", "credit_code", "title")

    display_name = Jurisdiction.display_name  # the same rule for categories and departments: name_en in English


class TicketRow:
    """One ticket read from a row: what `TicketSchema` dumps, with the model's rules."""

    __slots__ = (
        *TICKET_FIELDS,
        "category",
        "enterprise",
        "jurisdiction",
        "handling_jurisdiction",
        "department",
        "assignee",
        "liaison",
        "common_issue",
    )

    warning_at = Ticket.warning_at
    handling_level = Ticket.handling_level


# The many-to-one relations a ticket's JSON shows: (attribute, model, foreign key on tickets, fields shown). The two
# jurisdictions and the two people are the same tables: each is joined under its own alias.
REFS = (
    ("category", Category, "category_id", ("id", "code", "name", "name_en")),
    ("enterprise", "Enterprise", "enterprise_id", ("id", "name", "credit_code")),
    ("jurisdiction", Jurisdiction, "jurisdiction_id", ("id", "name", "name_en", "level")),
    ("handling_jurisdiction", Jurisdiction, "handling_jurisdiction_id", ("id", "name", "name_en", "level")),
    ("department", Department, "department_id", ("id", "name", "name_en")),
    ("assignee", User, "assignee_id", ("id", "name")),
    ("liaison", User, "liaison_id", ("id", "name")),
    ("common_issue", "CommonIssue", "common_issue_id", ("id", "title")),
)
# The names the routing sentence may need (routing.remember_names): it need not read them again.
NAMED_IN_ROUTING = {"jurisdiction", "handling_jurisdiction", "department", "assignee", "liaison"}


@cache
def _joined() -> tuple[list, object, list[tuple[str, type, tuple[str, ...], int, bool]]]:
    """The columns, the FROM clause and how to cut a row into its relations, built once."""
    from helpdesk.common_issues.models import CommonIssue
    from helpdesk.enterprises.models import Enterprise

    models = {"Enterprise": Enterprise, "CommonIssue": CommonIssue}
    columns = [getattr(Ticket, name) for name in TICKET_FIELDS]
    source, layout = Ticket.__table__, []
    for attr, model, key, shown in REFS:
        model = models.get(model, model)
        target = aliased(model)
        optional = getattr(Ticket, key).property.columns[0].nullable
        source = source.join(target, target.id == getattr(Ticket, key), isouter=optional)
        layout.append((attr, model, shown, len(columns), optional))  # its fields start at that column
        columns += [getattr(target, name) for name in shown]
    return columns, source, layout


def ticket_rows(query: Select) -> Select:
    """`query` (a select of `Ticket` with its WHERE, ORDER BY and LIMIT) reading the columns `TicketRow` needs."""
    columns, source, _ = _joined()
    return query.with_only_columns(*columns, maintain_column_froms=False).select_from(source)


def read_rows(query: Select, params: dict | None = None) -> list[TicketRow]:
    """Run a statement of `ticket_rows` and make its rows `TicketRow`s."""
    return [ticket for ticket, _ in _read(query, params)]


class TicketReader(Reader):
    """A list's tickets as `TicketRow`s (api/common.py `Reader`): a page of the list."""

    def statement(self, query: Select, extra: ColumnElement) -> Select:
        return ticket_rows(query).add_columns(extra)

    def run(self, statement: Select, params: dict) -> list[tuple[TicketRow, Any]]:
        return [(ticket, row[-1]) for ticket, row in _read(statement, params)]


def _read(statement: Select, params: dict | None = None) -> list[tuple[TicketRow, Row]]:
    layout = _joined()[2]
    named: list = []
    found = [(_ticket(row, layout, named), row) for row in db.session.execute(statement, params or {})]
    remember_names(named)
    return found


def _ticket(row, layout, named: list) -> TicketRow:
    """The `TicketRow` of one row; the people, jurisdictions and departments it names are added to `named`."""
    ticket = TicketRow()
    for name, value in zip(TICKET_FIELDS, row, strict=False):
        setattr(ticket, name, value)
    for attr, model, shown, start, optional in layout:
        if optional and row[start] is None:
            setattr(ticket, attr, None)
            continue
        ref = Named()
        for offset, name in enumerate(shown, start):
            setattr(ref, name, row[offset])
        setattr(ticket, attr, ref)
        if attr in NAMED_IN_ROUTING:
            named.append((model, ref))
    return ticket
