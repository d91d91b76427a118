"""What every API feature shares: the blueprint class, id fields and converter, pagination, small shapes."""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import ColumnElement, Integer, ScalarSelect, Select, bindparam, func, null, select
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.routing import BaseConverter

from helpdesk.api.dumping import Schema
from helpdesk.db import MAX_ID
from helpdesk.extensions import db

PER_PAGE_MAX = 100


# The decimal numbers 1 to 2147483647, as a regular expression: the id converter must refuse by its regex, not in
# to_python, because werkzeug turns a to_python refusal on a path that other methods serve into 405 instead of 404.
ID_REGEX = (
    r"[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
    r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7]"
)


class IdConverter(BaseConverter):
    """`<id:ticket_id>`: a positive database id; anything else (negative, 0, huge, text) does not route: 404."""

    regex = ID_REGEX
    weight = 50  # like werkzeug's int converter: more specific than a string

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def id_param_schema(converter: IdConverter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


UNSTORABLE = "Text cannot contain NUL characters or unpaired surrogates."


def _storable(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walk(data: Any, key: Any = None):
    """(top-level field, value) for every key and string value inside a request's data."""
    if hasattr(data, "items"):
        pairs = data.items(multi=True) if isinstance(data, MultiDict) else data.items()
        for name, value in pairs:
            top = name if key is None else key
            yield top, name
            yield from _walk(value, top)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _walk(value, key)
    else:
        yield ("_schema" if key is None else key), data


class StrictParser(FlaskParser):
    """webargs' parser, refusing unknown query and form fields (422) and reading multipart form + files as one."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
        "multipart": ma.RAISE,
    }
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def pre_load(self, location_data, *, schema, req, location):
        """Refuse text no database can store (NUL, unpaired surrogates) as a 422, before any service sees it."""
        items = getattr(location_data, "data", location_data)
        bad = sorted({str(key) for key, value in _walk(items) if not _storable(value)})
        if bad:
            raise ma.ValidationError({key: [UNSTORABLE] for key in bad})
        return location_data

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError as exc:  # a document nested deeper than the decoder's stack: malformed for us
            raise json.JSONDecodeError("JSON nested too deeply", "-", 0) from exc

    def load_multipart(self, req, schema):
        """A multipart form's fields and files together, so one schema describes the whole body."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint with the strict parser; `multipart` documents a form with files."""

    ARGUMENTS_PARSER = StrictParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


def Id(**kwargs: Any) -> fields.Integer:  # noqa: N802 - reads like a field class
    """An integer id field bounded like the `id` converter."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Flag(fields.Boolean):
    """A boolean that is true or false and nothing else (marshmallow's also takes 0, 1, "yes", "on"…).

    In a multipart form, where every value is text, the words true and false (any case) stand for it.
    """

    def __init__(self, *, form: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.form = form

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        if self.form and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.make_error("invalid")


class FilterList(fields.List):
    """A list query filter taken both ways clients send one: repeated (`status=a&status=b`, what OpenAPI's
    `style: form, explode: true` means) and as a comma list (`status=a,b`); an empty item is refused."""

    def __init__(self, item: fields.Field, *, description: str, **kwargs: Any):
        text = f"{description} Repeat the parameter for several values (x=a&x=b), or give them as a comma list (x=a,b)."
        super().__init__(item, metadata={"description": text}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(v, str) for v in values):
            raise self.make_error("invalid")
        items = [item for v in values for item in v.split(",")]
        return super()._deserialize(items, attr, data, **kwargs)


def length(low: int, high: int) -> list[validate.Length]:
    """Length bounds with a message saying which one was crossed ("Shorter than minimum length 5.")."""
    return [validate.Length(min=low), validate.Length(max=high)]


# -- shapes --------------------------------------------------------------------------------------


class Ref(Schema):
    """A person or department named in another object: {id, name}."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={"description": "From 1."})
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=PER_PAGE_MAX), metadata={"description": "1 to 100."}
    )


class PageSchema(Schema):
    """The envelope of a paginated list."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page schema whose `items` are `item_schema` (named for the OpenAPI document)."""
    return PageSchema.from_dict({"items": fields.List(fields.Nested(item_schema), required=True)}, name=name)


class Reader:
    """How a list's rows become its items: ORM objects of the query by default (tickets/reads.py has another).
    `statement(query, extra)` is the page's select with the column `extra` added; `run(statement, params)` returns
    (item, extra's value) for each row."""

    def statement(self, query: Select, extra: ColumnElement) -> Select:
        return query.add_columns(extra)

    def run(self, statement: Select, params: dict) -> list[tuple[Any, Any]]:
        return [tuple(row) for row in db.session.execute(statement, params)]


class PageStatements:
    """The statements of one page of `query`, whatever the page: built once, they can serve every request whose
    query has the same shape, the values coming as parameters (tickets/api.py caches them: building the ticket list's
    statement and its cache key each time was a fifth of the request).

    On the first page (asked for far more often than any other) the total is a column of the page's statement, a
    scalar subquery the database runs once: one statement instead of a count and a page. Any other page counts
    first and reads the page only if it exists, so a page far past the end costs a count, not a walk over every row.
    `total` replaces the count of `query` where the database keeps the same number counted (tickets/counts.py)."""

    def __init__(self, query: Select, reader: Reader | None = None, total: ScalarSelect | None = None):
        self.reader = reader or Reader()
        limit, offset = bindparam("page_limit", type_=Integer), bindparam("page_offset", type_=Integer)
        if total is None:
            total = select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()
        self.first = self.reader.statement(query.limit(limit), total.label("page_total"))
        self.count = select(total)
        self.later = self.reader.statement(query.limit(limit).offset(offset), null())

    def page(self, page: int, per_page: int, params: dict | None = None) -> dict:
        """One page with the total; a page past the end is empty, not an error."""
        params = {**(params or {}), "page_limit": per_page, "page_offset": (page - 1) * per_page}
        if page == 1:
            rows = self.reader.run(self.first, params)
            total = rows[0][1] if rows else db.session.scalar(self.count, params)
        else:
            total = db.session.scalar(self.count, params)
            rows = self.reader.run(self.later, params) if params["page_offset"] < total else []
        return {"items": [item for item, _ in rows], "page": page, "per_page": per_page, "total": total}


def paginate(query: Select, page: int, per_page: int, reader: Reader | None = None) -> dict:
    """One page of `query` (already ordered) with the total (`PageStatements`)."""
    return PageStatements(query, reader).page(page, per_page)


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds, so a response is dumped from the objects as they were
    just written instead of reading them (and each of their relations) back."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
