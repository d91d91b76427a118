"""The base of every API schema: marshmallow's output, with fewer calls per value when dumping.

marshmallow reads each value through four generic calls (`Field.serialize` → `Field.get_value` →
`Schema.get_attribute` → `utils.get_value`, which tries `obj[key]` before `getattr`); a page of 25 tickets
has about 1,100 values and that path was a fifth of the list's time. For a plain field on a schema that keeps
marshmallow's accessor, the value is read once (`getattr`, or the key of a dict) and handed to the field's own
`_serialize`, so every field still formats its values itself (a String's str and an Integer's int, already
what `_serialize` would return, and their None are taken as they are); any other field (a `Method`, one with a
`dump_default` or a dotted `attribute`, one that overrides `serialize`) goes through marshmallow unchanged.
A plain `Nested` field of one of these schemas without hooks calls that schema's `_serialize` itself, where
marshmallow's `Nested._serialize` → `Schema.dump` would end. Hooks (`pre_dump`, `post_dump`) run as before: only
`Schema._serialize` is replaced.
tests/api/test_dumping.py compares both paths on real objects.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import get_value

# The per-type answer to "does obj[key] come before getattr?" (marshmallow's utils.get_value asks hasattr).
_SUBSCRIPTABLE: dict[type, bool] = {}


def subscriptable(kind: type) -> bool:
    """Whether marshmallow would try `obj[key]` before `getattr` on objects of this type."""
    answer = _SUBSCRIPTABLE.get(kind)
    if answer is None:
        answer = _SUBSCRIPTABLE[kind] = hasattr(kind, "__getitem__")
    return answer


def read_value(obj: Any, name: str) -> Any:
    """What marshmallow's `utils.get_value(obj, name, missing)` returns, for a name without a dot."""
    if type(obj) is dict:
        return obj[name] if name in obj else getattr(obj, name, missing)
    return get_value(obj, name, missing) if subscriptable(type(obj)) else getattr(obj, name, missing)


def _read_directly(schema: ma.Schema, attr: str, field: ma.fields.Field) -> str | None:
    """The name to read for a field whose value may be read directly, or None for marshmallow's path."""
    name = attr if field.attribute is None else field.attribute
    plain = (
        type(field).serialize is ma.fields.Field.serialize
        and type(field).get_value is ma.fields.Field.get_value
        and field._CHECK_ATTRIBUTE
        and field.dump_default is missing
        and type(schema).get_attribute is ma.Schema.get_attribute
        and "." not in name
    )
    return name if plain else None


def _nested_directly(field: ma.fields.Field) -> ma.Schema | None:
    """For a plain `Nested` field of one of these schemas without dump hooks, that schema: its `_serialize` is what
    `Nested._serialize` → `Schema.dump` ends in (a ticket has eleven nested values, a page of 25 about 280)."""
    if type(field) is not ma.fields.Nested:
        return None
    schema = field.schema
    hooks = schema._hooks
    plain = isinstance(schema, Schema) and not hooks[PRE_DUMP] and not hooks[POST_DUMP]
    return schema if plain else None


# Fields whose `_serialize` hands back a value of this exact type unchanged (or None for None): the value is put
# in the output without the call (about 700 of a 25-ticket page's 1,400 values).
_UNCHANGED: dict[type, type] = {ma.fields.String: str, ma.fields.Integer: int}


class Schema(ma.Schema):
    """`ma.Schema` with the faster dump described above (same output)."""

    def _serialize(self, obj: Any, *, many: bool = False):
        if many and obj is not None:
            return [self._serialize(item) for item in obj]
        plan = self.__dict__.get("_dump_plan")
        if plan is None:
            plan = self.__dict__["_dump_plan"] = [
                (
                    attr if field.data_key is None else field.data_key,
                    attr,
                    field,
                    _read_directly(self, attr, field),
                    _UNCHANGED.get(type(field)),
                    _nested_directly(field),
                )
                for attr, field in self.dump_fields.items()
            ]
        by_key = subscriptable(type(obj))  # a dict too: read_value looks its keys up
        result = self.dict_class()
        for key, attr, field, name, unchanged, nested in plan:
            if name is None:
                value = field.serialize(attr, obj, accessor=self.get_attribute)
            else:
                value = read_value(obj, name) if by_key else getattr(obj, name, missing)
                if value is missing:
                    continue
                if nested is not None:
                    if value is not None:
                        value = nested._serialize(value, many=nested.many or field.many)
                # a String's str, an Integer's int and their None come out as they are; the rest is formatted
                elif unchanged is None or (value is not None and type(value) is not unchanged):
                    value = field._serialize(value, attr, obj)
            if value is not missing:
                result[key] = value
        return result
