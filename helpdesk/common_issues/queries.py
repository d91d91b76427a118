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

from sqlalchemy import ColumnElement, Float, Select, String, and_, case, column, func, literal, or_, select, values
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import True_

from helpdesk.auth.models import Role, User
from helpdesk.common_issues.grouping import CandidateGroup, groups_from_pairs, pairs_from_neighbours
from helpdesk.common_issues.index import Doc
from helpdesk.common_issues.models import (
    N_DOCS_TERM,
    CommonIssue,
    CommonIssueEvent,
    TermStat,
    TicketNeighbour,
    TicketTerm,
)
from helpdesk.common_issues.similarity import (
    CANDIDATES,
    OTHER_CATEGORY_FACTOR,
    probe_terms,
    terms,
    weigh,
)
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category
from helpdesk.jurisdictions.queries import categories_by_code, subtree_ids
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.queries import filter_tickets, ticket_visibility, visible_tickets, with_ticket_details

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
    probes = probe_terms(vector, df, n_docs) or sorted(vector.items(), key=lambda tw: -tw[1])[:FALLBACK_PROBES]
    probe = _terms_table("probe_terms", probes)
    candidates = select(TicketTerm.ticket_id).select_from(probe).join(TicketTerm, TicketTerm.term == probe.c.term)
    if visibility is not None and not isinstance(visibility, True_):  # TRUE: no join of every ticket
        # The ids the caller may see, first and once: from the indexes of the visibility clause (a county's by
        # an index-only scan, a cadre's by ORing its columns' indexes), then hash-joined to the postings.
        # Checked posting by posting instead, a cadre's lookup read 15,000 tickets by primary key (60 ms).
        visible = select(Ticket.id).where(visibility).cte("visible").prefix_with("MATERIALIZED", dialect="postgresql")
        candidates = candidates.join(visible, visible.c.id == TicketTerm.ticket_id)
    if exclude_id is not None:
        candidates = candidates.where(TicketTerm.ticket_id != exclude_id)
    candidates = (
        candidates.group_by(TicketTerm.ticket_id)
        .order_by(func.sum(TicketTerm.weight * probe.c.weight).desc())
        .limit(CANDIDATES)
        .cte("candidates")
    )
    query = _terms_table("query_terms", vector.items())
    # From the candidates to their own terms (the primary key (ticket_id, term)), not from the query's terms to
    # every ticket holding them: a query's common characters have postings in most tickets (PostgreSQL at 100k
    # read 118,000 postings that way, 0.5 s). MATERIALIZED keeps both databases to that order (SQLite without it
    # took 190 ms at 100k); the candidates' 12,800 rows are then joined to the query's terms by term (PostgreSQL
    # hashes them; a CASE of 64 terms over them took 10 ms).
    own = (
        select(TicketTerm.ticket_id, TicketTerm.term, TicketTerm.weight, Ticket.category_id)
        .select_from(candidates)
        .join(Ticket, Ticket.id == candidates.c.ticket_id)
        .join(TicketTerm, TicketTerm.ticket_id == candidates.c.ticket_id)
        .cte("candidate_terms")
        .prefix_with("MATERIALIZED")
    )
    factor = (
        case((own.c.category_id == category_id, literal(1.0)), else_=literal(OTHER_CATEGORY_FACTOR))
        if category_id is not None
        else literal(1.0)
    )
    score = (func.sum(own.c.weight * query.c.weight) * factor).label("score")
    statement = (
        select(own.c.ticket_id, score)
        .select_from(own)
        .join(query, query.c.term == own.c.term)
        .group_by(own.c.ticket_id, own.c.category_id)
        .order_by(score.desc(), own.c.ticket_id)
        .limit(limit)
    )
    return [(ticket_id, min(1.0, float(value))) for ticket_id, value in db.session.execute(statement).all()]


def _terms_table(name: str, weights: Iterable[tuple[str, float]]):
    """(term, weight) rows as a common table expression: `WITH name(term, weight) AS (VALUES …)`, which SQLite and
    PostgreSQL both take."""
    table = values(column("term", String), column("weight", Float), name=name)
    return table.data([(term, float(weight)) for term, weight in weights]).cte(name)


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


# "Very likely the same problem" (docs/SIMILARITY.md): what the filing form warns an enterprise about.
WARN_SCORE = 0.3


def own_similar_open(user: User, title: str, description: str, category: str | None) -> list[Similar]:
    """The open tickets of the user's own company that look like the same problem (an enterprise's filing
    form asks "你公司已有类似诉求 …，是否仍要提交？" before it files)."""
    found = similar_tickets(
        user,
        title or "",
        description or "",
        category if category in categories_by_code() else None,
        limit=3,
        extra=Ticket.status.in_(sorted(OPEN_STATUSES)),
    )
    return [s for s in found if s.score >= WARN_SCORE]


# -- common issues ---------------------------------------------------------------------------------


def issue_visibility(user: User) -> ColumnElement:
    """A WHERE clause: the common issues `user` may see. Those of the jurisdictions it supervises, those its
    department leads (a cadre), and those holding a ticket it may see (an enterprise sees its own tickets')."""
    holding = select(Ticket.common_issue_id).where(Ticket.common_issue_id.is_not(None), ticket_visibility(user))
    clauses = [CommonIssue.id.in_(holding)]
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        clauses.append(supervised_scope(user).clause(CommonIssue.jurisdiction_id))
    if user.role == Role.CADRE and user.department_id is not None:
        clauses.append(CommonIssue.lead_department_id == user.department_id)
    return or_(*clauses)


def visible_issues(user: User) -> Select:
    return select(CommonIssue).where(issue_visibility(user))


def load_visible_issue(user: User, issue_id: int) -> CommonIssue:
    """The common issue if `user` may see it; NotFound otherwise."""
    issue = db.session.scalar(
        visible_issues(user)
        .where(CommonIssue.id == issue_id)
        .options(
            joinedload(CommonIssue.category),
            joinedload(CommonIssue.jurisdiction),
            joinedload(CommonIssue.lead_department),
            joinedload(CommonIssue.created_by),
        )
    )
    if issue is None:
        raise NotFound("No such common issue.")
    return issue


def filter_issues(query: Select, *, status=None, jurisdiction_id=None, category=None) -> Select:
    if status:
        query = query.where(CommonIssue.status == status)
    if jurisdiction_id is not None:
        query = query.where(CommonIssue.jurisdiction_id.in_(sorted(subtree_ids(jurisdiction_id))))
    if category:
        query = query.where(CommonIssue.category_id.in_(select(Category.id).where(Category.code == category)))
    return query.order_by(CommonIssue.created_at.desc(), CommonIssue.id.desc())


def issue_tickets(user: User, issue: CommonIssue) -> list[Ticket]:
    """The linked tickets `user` may see, oldest first (an enterprise sees its own only)."""
    query = visible_tickets(user).where(Ticket.common_issue_id == issue.id).order_by(Ticket.id)
    return list(db.session.scalars(with_ticket_details(query)))


@dataclass(frozen=True)
class Reach:
    tickets: int = 0
    enterprises: int = 0
    open_tickets: int = 0


def issue_reach(issue_ids: Iterable[int]) -> dict[int, Reach]:
    """{issue id: linked tickets, distinct enterprises, open tickets}, in one GROUP BY."""
    ids = sorted(set(issue_ids))
    if not ids:
        return {}
    open_ = func.sum(case((Ticket.status.in_(sorted(OPEN_STATUSES)), 1), else_=0))
    rows = db.session.execute(
        select(Ticket.common_issue_id, func.count(), func.count(Ticket.enterprise_id.distinct()), open_)
        .where(Ticket.common_issue_id.in_(ids))
        .group_by(Ticket.common_issue_id)
    ).all()
    return {i: Reach(t, e, o or 0) for i, t, e, o in rows}


def issue_events(issue: CommonIssue) -> list[CommonIssueEvent]:
    return list(
        db.session.scalars(
            select(CommonIssueEvent)
            .options(joinedload(CommonIssueEvent.actor))
            .where(CommonIssueEvent.common_issue_id == issue.id)
            .order_by(CommonIssueEvent.id)
        )
    )


# -- candidate groups ------------------------------------------------------------------------------


def candidate_groups_for(
    user: User,
    *,
    jurisdiction_id: int | None = None,
    category: str | None = None,
    created_from=None,
    created_to=None,
    min_enterprises: int = 2,
) -> list[CandidateGroup]:
    """Groups of similar open tickets of different enterprises in what `user` supervises, largest first,
    from the stored neighbour edges (two statements, then grouping.groups_from_pairs). Tickets already in a
    common issue are left out."""
    if jurisdiction_id is not None and jurisdiction_id not in supervised_scope(user):
        raise ValidationFailed("That jurisdiction is outside yours.", field="jurisdiction_id")
    if category and category not in categories_by_code():
        raise ValidationFailed("Unknown category %(code)r.", field="category", code=category)
    in_scope = filter_tickets(
        select(Ticket.id).where(
            ticket_visibility(user), Ticket.common_issue_id.is_(None), Ticket.status.in_(sorted(OPEN_STATUSES))
        ),
        now=None,
        category=category or None,
        jurisdiction_id=jurisdiction_id,
        created_from=created_from,
        created_to=created_to,
    )
    rows = db.session.execute(
        select(Ticket.id, Ticket.enterprise_id, Category.code, Ticket.title)
        .join(Category, Category.id == Ticket.category_id)
        .where(Ticket.id.in_(in_scope))
        .order_by(Ticket.id)
    ).all()
    if not rows:
        return []
    edges = db.session.execute(
        select(TicketNeighbour.ticket_id, TicketNeighbour.other_id, TicketNeighbour.score).where(
            TicketNeighbour.ticket_id.in_(in_scope), TicketNeighbour.other_id.in_(in_scope)
        )
    ).all()
    docs = [Doc(i, enterprise, code, {}, title) for i, enterprise, code, title in rows]
    return groups_from_pairs(docs, pairs_from_neighbours(docs, edges), min_enterprises)
