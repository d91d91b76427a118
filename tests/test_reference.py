"""Reference tables kept across requests (helpdesk/reference.py): a later request reads one stamp instead of the
four tables, and sees every change the moment it is made, however it is made; nothing a rolled-back transaction
saw is served afterwards."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import delete, event, select, text, update

from helpdesk import reference
from helpdesk.calendar.services import get_calendar
from helpdesk.jurisdictions.models import Category, Jurisdiction
from helpdesk.jurisdictions.queries import categories_by_code, jurisdiction_tree
from helpdesk.notifications.models import Robot
from helpdesk.notifications.services import active_robots
from helpdesk.reference import ReferenceStamp
from tests import factories
from tests.api import conftest as api_fixtures

bearer, world = api_fixtures.bearer, api_fixtures.world


@contextmanager
def statements(db):
    """The tables each statement run meanwhile reads or writes (by its SQL's first FROM / INTO / UPDATE)."""
    seen: list[str] = []

    def record(conn, cursor, sql, *args):
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            seen.append(" ".join(sql.split()))

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def read_all():
    return jurisdiction_tree(), categories_by_code(), get_calendar(), active_robots()


def in_request(app, reads):
    """`reads()` in a request of its own: its own app context, `g` and session (bound to the test's connection),
    which ends with the request, as with a real server (conftest.py IsolatedClient)."""

    def run():
        with app.test_request_context("/"):
            return reads()

    return contextvars.Context().run(run)


def stamp(db) -> int:
    return db.session.scalar(select(ReferenceStamp.stamp))


def test_a_later_request_reads_the_stamp_instead_of_the_four_tables(app, db, monkeypatch):
    monkeypatch.setattr(reference, "_kept", reference._ThreadKept())  # cold: nothing kept by an earlier test
    county_id = factories.jurisdiction("411602").id
    with statements(db) as first:
        tree, categories, _, _ = in_request(app, read_all)
    assert len(first) == 4 and all("reference_stamp" in sql for sql in first)

    def later_request():
        again = read_all()
        # the kept objects are this request's: its lazy loads and lookups find them without a statement
        assert db.session.get(Jurisdiction, county_id) is again[0].by_id[county_id]
        assert again[0].by_id[county_id].parent.code == "411600"
        assert again[1]["land"] in db.session
        return again

    with statements(db) as later:
        again, categories_again, _, _ = in_request(app, later_request)
    assert len(later) == 1 and "FROM reference_stamp" in later[0]
    assert again.by_id[county_id] is tree.by_id[county_id] and categories_again is categories
    assert tree.by_id[county_id].name == "川汇区"


def _land_days_and_county_name():
    tree, categories, _, _ = read_all()
    return categories["land"].response_days, tree.by_id[factories.jurisdiction("411602").id].name


@pytest.mark.parametrize(
    "change, expected",
    [
        ("UPDATE categories SET response_days = response_days + 5 WHERE code = 'land'", lambda d, n: (d + 5, n)),
        ("UPDATE jurisdictions SET name = '川汇新区' WHERE code = '411602'", lambda d, n: (d, "川汇新区")),
    ],
)
def test_a_change_by_raw_sql_is_seen_by_the_next_request(app, db, change, expected):
    days, name = in_request(app, _land_days_and_county_name)
    db.session.execute(text(change))
    db.session.commit()
    assert in_request(app, _land_days_and_county_name) == expected(days, name)


def test_what_a_rolled_back_change_saw_is_not_served_afterwards(app, db):
    def land_days():
        return categories_by_code()["land"].response_days

    old = in_request(app, land_days)
    before = stamp(db)
    savepoint = db.session.begin_nested()
    db.session.execute(update(Category).where(Category.code == "land").values(response_days=old + 9))
    db.session.flush()
    assert in_request(app, land_days) == old + 9  # the transaction's own change, kept under its stamp
    savepoint.rollback()
    assert stamp(db) == before
    assert in_request(app, land_days) == old


def test_objects_a_commit_expired_are_read_again(app, db):
    def commit_in_the_request():
        categories_by_code()
        db.session.commit()  # expires everything the session holds, the kept objects too

    in_request(app, commit_in_the_request)
    with statements(db) as seen:
        assert in_request(app, lambda: categories_by_code()["land"].code) == "land"
    assert any("reference_stamp" in sql and "categories" in sql for sql in seen)


def test_a_row_the_session_already_holds_under_another_object_is_read_again(app, db):
    county_id = factories.jurisdiction("411602").id
    in_request(app, jurisdiction_tree)

    def held_first():
        held = db.session.get(Jurisdiction, county_id)  # loaded before the tree: a new object
        return held, jurisdiction_tree().by_id[county_id]

    held, in_tree = in_request(app, held_first)
    assert in_tree is held


def test_each_reference_table_changes_the_stamp_on_insert_update_and_delete(db):
    stamps = [stamp(db)]

    def changed():
        stamps.append(stamp(db))
        assert stamps[-1] != stamps[-2]

    county = factories.jurisdiction("411602")
    robot = Robot(
        kind="wecom", name="川汇区督查群", webhook_url="https://qyapi.weixin.qq.com/x", jurisdiction_id=county.id
    )
    db.session.add(robot)
    db.session.flush()
    changed()
    db.session.execute(update(Robot).values(active=False))
    changed()
    db.session.execute(delete(Robot))
    changed()
    db.session.execute(
        text(
            "INSERT INTO holiday_overrides (day, is_workday, note, created_at) "
            "VALUES ('2027-02-06', true, '', '2026-12-04 12:00:00')"
        )
    )
    changed()
    db.session.execute(update(Jurisdiction).where(Jurisdiction.id == county.id).values(name="川汇区"))
    changed()
    db.session.execute(update(Category).where(Category.code == "land").values(name="土地"))
    changed()


def test_robots_and_overrides_read_when_tables_are_empty_and_after_they_fill(app, db):
    db.session.execute(delete(Robot))
    assert in_request(app, active_robots) == []
    county = factories.jurisdiction("411602")
    db.session.add(
        Robot(kind="wecom", name="川汇区督查群", webhook_url="https://qyapi.weixin.qq.com/x", jurisdiction_id=county.id)
    )
    db.session.add(
        Robot(
            kind="wecom",
            name="停用的群",
            webhook_url="https://qyapi.weixin.qq.com/y",
            jurisdiction_id=county.id,
            active=False,
        )
    )
    db.session.commit()
    assert in_request(app, lambda: [r.name for r in active_robots()]) == ["川汇区督查群"]
    day = date(2027, 2, 6)  # a Saturday
    assert not in_request(app, lambda: get_calendar().is_workday(day))
    db.session.execute(
        text(
            "INSERT INTO holiday_overrides (day, is_workday, note, created_at) "
            "VALUES ('2027-02-06', true, '', '2026-12-04 12:00:00')"
        )
    )
    db.session.commit()
    assert in_request(app, lambda: get_calendar().is_workday(day))


def test_outside_a_request_nothing_is_kept(app, db):
    with statements(db) as seen:
        jurisdiction_tree()
        jurisdiction_tree()
    assert len(seen) == 2 and not any("reference_stamp" in sql for sql in seen)


def test_a_filing_after_the_first_reads_no_reference_table(client, db, world, bearer):
    headers = bearer(world.owner)
    body = {"category": "land", "title": "厂房用地手续办理", "description": "需要协调自然资源局办理土地证。"}
    assert client.post("/api/v1/tickets", json=body, headers=headers).status_code == 201
    with statements(db) as seen:
        response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["department"]["id"] == factories.department("411602", "nr").id
    read = " ".join(seen)
    # the stamp came with the caller's token, the request's first statement
    assert "reference_stamp" in seen[0] and "api_tokens" in seen[0]
    assert not any("reference_stamp" in sql for sql in seen[1:])
    for table in ("FROM jurisdictions", "FROM categories", "FROM holiday_overrides", "FROM robots"):
        assert table not in read


def test_without_the_stamp_row_the_tables_are_read_every_time(app, db):
    db.session.execute(delete(ReferenceStamp))
    county_id = factories.jurisdiction("411602").id
    for _ in range(2):
        with statements(db) as seen:
            name = in_request(app, lambda: jurisdiction_tree().by_id[county_id].name)
        assert name == "川汇区"
        assert any("FROM jurisdictions" in sql and "reference_stamp" not in sql for sql in seen)
