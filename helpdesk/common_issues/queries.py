"""The similar lookup over the stored index, as SQL restricted by the caller's visibility (docs/SIMILARITY.md).

Two statements, identical on SQLite and PostgreSQL (bench/similarity_sql.py LOOKUP_SQL): the df of the
query's terms together with N, then ONE query whose first part sums weight × query weight over the postings
of the query's probe terms of the tickets the caller may see and keeps the CANDIDATES best, and whose
second scores those exactly over all the query's terms, times the category factor. The query vector is
computed from text, so a ticket the worker has not indexed yet can be looked up by its own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal, select

from helpdesk.auth.models import User
from helpdesk.common_issues.models import N_DOCS_TERM, TermStat, TicketTerm
from helpdesk.common_issues.similarity import (
    CANDIDATES,
    OTHER_CATEGORY_FACTOR,
    probe_terms,
    terms,
    weigh,
)
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.queries import categories_by_code
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import ticket_visibility, with_ticket_details

STATS_CHUNK = 5000  # terms per IN list (SQLite's bound-parameter limit is 32,766)
FALLBACK_PROBES = 8  # a text made of common terms only is still looked up through its heaviest ones


def read_stats(names: Iterable[str]) -> dict[str, int]:
    """{term: df} of the known terms among `names` (N under N_DOCS_TERM, when asked for)."""
    names = sorted(set(names))
    found: dict[str, int] = {}
    for start in range(0, len(names), STATS_CHUNK):
        chunk = names[start : start + STATS_CHUNK]
        found.update(db.session.execute(select(TermStat.term, TermStat.df).where(TermStat.term.in_(chunk))).all())
    return found


def query_vector(title: str, description: str) -> tuple[dict[str, float], dict[str, int], int]:
    """A text's unit vector against the stored df, with that df and N (one statement)."""
    tf = terms(title or "", description or "")
    stats = read_stats([*tf, N_DOCS_TERM])
    n_docs = stats.get(N_DOCS_TERM, 0)
    return weigh(tf, stats, n_docs), stats, n_docs


def lookup(
    vector: Mapping[str, float],
    df: Mapping[str, int],
    n_docs: int,
    *,
    category_id: int | None = None,
    limit: int = 5,
    visibility: ColumnElement | None = None,
    exclude_id: int | None = None,
) -> list[tuple[int, float]]:
    """[(ticket id, score)] of the `limit` indexed tickets most similar to a unit vector, best first."""
    if not vector:
        return []
    probes = dict(probe_terms(vector, df, n_docs) or sorted(vector.items(), key=lambda tw: -tw[1])[:FALLBACK_PROBES])
    candidates = select(TicketTerm.ticket_id).where(TicketTerm.term.in_(list(probes)))
    if visibility is not None:
        candidates = candidates.join(Ticket, Ticket.id == TicketTerm.ticket_id).where(visibility)
    if exclude_id is not None:
        candidates = candidates.where(TicketTerm.ticket_id != exclude_id)
    candidates = (
        candidates.group_by(TicketTerm.ticket_id)
        .order_by(func.sum(TicketTerm.weight * case(probes, value=TicketTerm.term)).desc())
        .limit(CANDIDATES)
        .cte("candidates")
    )
    factor = (
        case((Ticket.category_id == category_id, literal(1.0)), else_=literal(OTHER_CATEGORY_FACTOR))
        if category_id is not None
        else literal(1.0)
    )
    score = (func.sum(TicketTerm.weight * case(dict(vector), value=TicketTerm.term, else_=0.0)) * factor).label("score")
    statement = (
        select(TicketTerm.ticket_id, score)
        .join(Ticket, Ticket.id == TicketTerm.ticket_id)
        .where(TicketTerm.ticket_id.in_(select(candidates.c.ticket_id)), TicketTerm.term.in_(list(vector)))
        .group_by(TicketTerm.ticket_id, Ticket.category_id)
        .order_by(score.desc(), TicketTerm.ticket_id)
        .limit(limit)
    )
    return [(ticket_id, min(1.0, float(value))) for ticket_id, value in db.session.execute(statement).all()]


@dataclass(frozen=True)
class Similar:
    """A ticket the caller may see and how like the query it is, in [0, 1]."""

    ticket: Ticket
    score: float


def similar_tickets(
    user: User,
    title: str,
    description: str = "",
    category: str | int | None = None,
    *,
    limit: int = 5,
    exclude_id: int | None = None,
    extra: ColumnElement | None = None,
) -> list[Similar]:
    """The tickets `user` may see most like the text, best first (`extra`: a further WHERE clause).

    `category` is a code (422 naming `category` when unknown) or a category id; it weighs the score.
    """
    if isinstance(category, str) and category:
        found = categories_by_code().get(category)
        if found is None:
            raise ValidationFailed("Unknown category %(code)r.", field="category", code=category)
        category = found.id
    vector, df, n_docs = query_vector(title, description)
    visibility = ticket_visibility(user) if extra is None else and_(ticket_visibility(user), extra)
    found = lookup(
        vector, df, n_docs, category_id=category or None, limit=limit, visibility=visibility, exclude_id=exclude_id
    )
    if not found:
        return []
    tickets = {
        t.id: t
        for t in db.session.scalars(with_ticket_details(select(Ticket).where(Ticket.id.in_([i for i, _ in found]))))
    }
    return [Similar(tickets[i], s) for i, s in found if i in tickets]


def similar_to_ticket(
    user: User, ticket: Ticket, *, limit: int = 5, extra: ColumnElement | None = None
) -> list[Similar]:
    """The tickets `user` may see most like `ticket` (from its text: it need not be indexed yet), itself excluded."""
    return similar_tickets(
        user, ticket.title, ticket.description, ticket.category_id, limit=limit, exclude_id=ticket.id, extra=extra
    )
