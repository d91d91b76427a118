"""Tickets counted per jurisdiction (helpdesk/tickets/counts.py): the database keeps the counts right through every
kind of write, and a supervisor's unfiltered list takes its total from them, the same total as counting."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import delete, event, func, select, update

from helpdesk.tickets.counts import TicketCount, rebuild
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import ticket_visibility
from tests import factories
from tests.api import conftest as api_fixtures
from tests.reports.conftest import TicketRows

bearer, world = api_fixtures.bearer, api_fixtures.world  # the API tests' fixtures: tokens, a company's people


def _counted(db) -> Counter:
    return Counter({r.jurisdiction_id: r.n for r in db.session.scalars(select(TicketCount)) if r.n})


def _expected(db) -> Counter:
    return Counter(
        dict(db.session.execute(select(Ticket.jurisdiction_id, func.count()).group_by(Ticket.jurisdiction_id)).all())
    )


@pytest.fixture()
def spread(db, world):
    """Tickets of three counties: filed through the service, and inserted in bulk."""
    rows = TicketRows(db)
    rows.add_rows([rows.row(county=county) for county in ("411602", "411603", "411621") * 4])
    for n in range(3):
        factories.file(world.stranger, title=f"第{n}个诉求：用电报装进度缓慢")
    db.session.flush()
    return world


def test_the_counts_follow_inserts_moves_and_deletes(db, spread):
    assert _counted(db) == _expected(db)
    assert sum(_counted(db).values()) == 15
    huaiyang, xihua = factories.jurisdiction("411603"), factories.jurisdiction("411622")
    # A bulk move of many tickets, an ORM move of one, a change that is not a move, a deletion.
    db.session.execute(update(Ticket).where(Ticket.jurisdiction_id == huaiyang.id).values(jurisdiction_id=xihua.id))
    ticket = db.session.scalar(select(Ticket).where(Ticket.title.like("第%")).order_by(Ticket.id).limit(1))
    ticket.jurisdiction_id = huaiyang.id
    db.session.flush()
    db.session.execute(update(Ticket).values(urge_count=Ticket.urge_count + 1))
    db.session.execute(delete(Ticket).where(Ticket.jurisdiction_id == factories.jurisdiction("411621").id))
    db.session.flush()
    assert _counted(db) == _expected(db)
    assert _counted(db)[huaiyang.id] == 1 and _counted(db)[xihua.id] == 4


def test_a_rebuild_counts_the_same(db, spread):
    before = _counted(db)
    db.session.execute(delete(TicketCount))
    assert _counted(db) == Counter()
    rebuild(db.session.connection())
    assert _counted(db) == before == _expected(db)


def _listed(db, client, headers, query: str = "") -> tuple[int, set[int], list[str]]:
    """The total of the first page, the ids of every page, and the statements of the first page."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = client.get(f"/api/v1/tickets?per_page=5{query}", headers=headers).get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    ids, page = {t["id"] for t in first["items"]}, 2
    while len(ids) < first["total"] and page < 20:
        ids |= {
            t["id"]
            for t in client.get(f"/api/v1/tickets?per_page=5&page={page}{query}", headers=headers).get_json()["items"]
        }
        page += 1
    return first["total"], ids, seen


@pytest.mark.parametrize("who", ["supervisor", "city_supervisor", "admin", "other_supervisor"])
def test_a_supervisors_unfiltered_list_takes_its_total_from_the_counts(db, client, spread, bearer, who):
    """A county's supervisor, a city's (its counties' tickets), the admin (every ticket), another county's."""
    viewer = getattr(spread, who)
    visible = set(db.session.scalars(select(Ticket.id).where(ticket_visibility(viewer))))
    total, ids, statements = _listed(db, client, bearer(viewer))
    assert total == len(ids) == len(visible) > 0 and ids == visible
    reads = [s for s in statements if "LIMIT" in s]
    assert len(reads) == 1 and "ticket_counts" in reads[0] and "count(*)" not in reads[0], statements


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("supervisor", "&status=assigned"),
        ("city_supervisor", "&q=用电报装"),
        ("stranger", ""),  # an enterprise's tickets are not counted by jurisdiction
        ("liaison", ""),
    ],
)
def test_a_filtered_list_or_a_non_supervisors_counts_its_tickets(db, client, spread, bearer, who, query):
    viewer = getattr(spread, who)
    total, ids, statements = _listed(db, client, bearer(viewer), query)
    assert total == len(ids) > 0
    reads = [s for s in statements if "LIMIT" in s]
    assert len(reads) == 1 and "count(*)" in reads[0] and "ticket_counts" not in reads[0], statements


def test_a_filing_is_in_the_next_total(db, client, spread, bearer):
    headers = bearer(spread.supervisor)
    before = client.get("/api/v1/tickets?per_page=1", headers=headers).get_json()["total"]
    factories.file(spread.stranger, title="又一个诉求：用电报装进度缓慢")
    db.session.commit()
    assert client.get("/api/v1/tickets?per_page=1", headers=headers).get_json()["total"] == before + 1
