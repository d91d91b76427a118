"""The API schemas' faster dump (helpdesk/api/dumping.py) gives exactly what marshmallow's own dump gives.

The reference is marshmallow itself: the same schema dumped with `Schema._serialize` put back to
marshmallow's implementation (for the nested schemas too).
"""

from __future__ import annotations

import marshmallow as ma
import pytest
from marshmallow import fields, post_dump, pre_dump

from helpdesk.api import dumping
from helpdesk.api.dumping import Schema


@pytest.fixture()
def reference(monkeypatch):
    """dump(schema, obj) with marshmallow's own `_serialize` everywhere."""

    def dump(schema, obj, **kwargs):
        with monkeypatch.context() as patched:
            patched.setattr(dumping.Schema, "_serialize", ma.Schema._serialize)
            return schema.dump(obj, **kwargs)

    return dump


class Inner(Schema):
    id = fields.Integer()
    label = fields.String(attribute="name")


class HookedInner(Schema):
    """Nested with dump hooks: the shortcut for nested schemas must leave them to marshmallow's dump."""

    id = fields.Integer()

    @pre_dump
    def tripled(self, obj, **kwargs):
        return {"id": obj.id * 3}

    @post_dump
    def marked(self, data, **kwargs):
        return {**data, "hooked": True}


class Shape(Schema):
    """Every kind of field the fast path takes or hands back to marshmallow."""

    number = fields.Integer()
    text = fields.String(data_key="words")
    flag = fields.Boolean()
    when = fields.DateTime()
    absent = fields.String()
    defaulted = fields.String(dump_default="default")
    dotted = fields.Integer(attribute="inner.id")
    inner = fields.Nested(Inner, allow_none=True)
    inners = fields.List(fields.Nested(Inner))
    many_inners = fields.Nested(Inner, many=True)
    hooked = fields.Nested(HookedInner, allow_none=True)
    computed = fields.Method("get_computed")
    function = fields.Function(lambda obj: "f")
    secret = fields.String(load_only=True)

    def get_computed(self, obj):
        return "computed"


class Thing:
    def __init__(self, **values):
        self.__dict__.update(values)


def _things():
    from datetime import UTC, datetime

    inner = Thing(id=7, name="七")
    return [
        Thing(
            number=1,
            text="一",
            flag=True,
            when=datetime(2026, 12, 2, 5, 0, tzinfo=UTC),
            inner=inner,
            inners=[inner, Thing(id=8, name="八")],
            many_inners=[Thing(id=8, name="八"), inner],
            hooked=inner,
            secret="s",
        ),  # fmt: skip
        Thing(
            number=0, text="", flag=False, when=None, inner=None, inners=[], many_inners=[], hooked=None, absent=None
        ),
        {"number": "3", "text": 5, "flag": 1, "inner": {"id": 9, "name": "九"}, "inners": [], "secret": "s"},
        {},
    ]


@pytest.mark.parametrize("index", range(4))
def test_every_kind_of_field_dumps_as_marshmallow_dumps_it(reference, index):
    thing = _things()[index]
    assert Shape().dump(thing) == reference(Shape(), thing)
    if index == 0:
        assert Shape().dump(thing)["hooked"] == {"id": 21, "hooked": True}
        assert Shape().dump(thing)["many_inners"] == [{"id": 8, "label": "八"}, {"id": 7, "label": "七"}]


def test_many_only_and_exclude_dump_as_marshmallow_dumps_them(reference):
    things = _things()[:2]
    assert Shape(many=True).dump(things) == reference(Shape(many=True), things)
    assert Shape(only=("number", "inner")).dump(things[0]) == reference(Shape(only=("number", "inner")), things[0])
    assert Shape(exclude=("when",)).dump(things[1]) == reference(Shape(exclude=("when",)), things[1])


def test_dump_hooks_still_run(reference):
    class Hooked(Schema):
        value = fields.Integer()

        @pre_dump
        def double(self, obj, **kwargs):
            return {"value": obj["value"] * 2}

        @post_dump
        def mark(self, data, **kwargs):
            return {**data, "hooked": True}

    assert Hooked().dump({"value": 2}) == {"value": 4, "hooked": True} == reference(Hooked(), {"value": 2})


def test_a_missing_value_is_left_out_not_dumped_as_null():
    assert "absent" not in Shape().dump(Thing(number=1))
    assert Shape().dump({"absent": None})["absent"] is None


def test_tickets_dump_as_marshmallow_dumps_them(app, world, reference):
    """Real tickets with their relations loaded (assigned, resolved, one still in the queue with nobody on it)."""
    from sqlalchemy import select

    from helpdesk.extensions import db
    from helpdesk.tickets.models import Ticket
    from helpdesk.tickets.queries import with_ticket_details
    from helpdesk.tickets.schemas import EventSchema, TicketPageSchema, TicketSchema

    for status in ("submitted", "assigned", "in_progress", "resolved", "closed"):
        world.ticket(status)
    tickets = list(db.session.scalars(with_ticket_details(select(Ticket).order_by(Ticket.id))))
    assert len(tickets) == 5
    with app.test_request_context():
        for ticket in tickets:
            assert TicketSchema().dump(ticket) == reference(TicketSchema(), ticket)
            assert EventSchema(many=True).dump(ticket.events) == reference(EventSchema(many=True), ticket.events)
        page = {"items": tickets, "page": 1, "per_page": 25, "total": 5}
        ours = TicketPageSchema().dump(page)
        assert ours == reference(TicketPageSchema(), page)
        assert [item["number"] for item in ours["items"]] == [t.number for t in tickets]
