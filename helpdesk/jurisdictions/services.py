"""Admin verbs on reference data: departments, categories (and their deadlines), routing rules.

Every change is written to the admin audit log. Flush, never commit: the page owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.audit.services import add_recorded, delete_recorded, record_change, snapshot
from helpdesk.auth.models import User
from helpdesk.auth.services import admin_only
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule
from helpdesk.jurisdictions.queries import ancestors


def _text(values: dict, key: str, low: int, high: int, *, required: bool = True) -> str:
    text = (values.get(key) or "").strip()
    if required and not text:
        raise ValidationFailed("This field is required.", field=key)
    if text and len(text) < low:
        raise ValidationFailed("Shorter than minimum length %(low)s.", field=key, low=low)
    if len(text) > high:
        raise ValidationFailed("Longer than maximum length %(high)s.", field=key, high=high)
    return text


def _int(values: dict, key: str, low: int, high: int) -> int:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed("Must be a whole number from %(low)s to %(high)s.", field=key, low=low, high=high)
    return value


# -- departments -----------------------------------------------------------------------------------

CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _department_values(values: dict, department: Department | None) -> dict:
    jurisdiction_id = values.get("jurisdiction_id", department.jurisdiction_id if department else None)
    if db.session.get(Jurisdiction, jurisdiction_id or 0) is None:
        raise ValidationFailed("No such jurisdiction.", field="jurisdiction_id")
    code = _text(values, "code", 1, 40).lower()
    if not set(code) <= CODE_CHARS:
        raise ValidationFailed("Use lower-case letters, digits, - and _ only.", field="code")
    clash = (
        select(func.count())
        .select_from(Department)
        .where(Department.jurisdiction_id == jurisdiction_id, Department.code == code)
    )
    if department is not None:
        clash = clash.where(Department.id != department.id)
    if db.session.scalar(clash):
        raise Conflict("That jurisdiction already has a department with this code.", field="code")
    return {
        "jurisdiction_id": jurisdiction_id,
        "code": code,
        "name": _text(values, "name", 2, 120),
        "name_en": _text(values, "name_en", 2, 160),
        "short_name": _text(values, "short_name", 1, 40, required=False),
        "short_name_en": _text(values, "short_name_en", 1, 60, required=False),
        "is_default": bool(values.get("is_default")),
    }


def _only_default(actor: User, department: Department) -> None:
    """A jurisdiction has one default department (its general office): unset the others."""
    if not department.is_default:
        return
    others = db.session.scalars(
        select(Department).where(
            Department.jurisdiction_id == department.jurisdiction_id,
            Department.is_default.is_(True),
            Department.id != department.id,
        )
    )
    for other in others:
        before = snapshot(other)
        other.is_default = False
        db.session.flush()
        record_change(actor, "department", other, "update", before)


def create_department(actor: User, values: dict) -> Department:
    admin_only(actor)
    department = Department(**_department_values(values, None))
    db.session.add(department)
    db.session.flush()
    _only_default(actor, department)
    record_change(actor, "department", department, "create", None)
    return department


def update_department(actor: User, department: Department, values: dict) -> Department:
    admin_only(actor)
    before = snapshot(department)
    clean = _department_values({**values, "jurisdiction_id": department.jurisdiction_id}, department)
    for key, value in clean.items():
        setattr(department, key, value)
    db.session.flush()
    _only_default(actor, department)
    record_change(actor, "department", department, "update", before)
    return department


# -- categories and their deadlines ----------------------------------------------------------------


def _category_values(values: dict, category: Category | None) -> dict:
    clean = {
        "name": _text(values, "name", 2, 60),
        "name_en": _text(values, "name_en", 2, 80),
        "help": _text(values, "help", 0, 500, required=False),
        "help_en": _text(values, "help_en", 0, 500, required=False),
        "response_days": _int(values, "response_days", 0, 30),
        "resolution_days": _int(values, "resolution_days", 1, 60),
        "position": _int(values, "position", 0, 1000)
        if values.get("position") is not None
        else (category.position if category else 0),
    }
    if clean["response_days"] > clean["resolution_days"]:
        raise ValidationFailed("The response limit cannot be longer than the resolution limit.", field="response_days")
    if category is None:
        code = _text(values, "code", 2, 30).lower()
        if not set(code) <= CODE_CHARS:
            raise ValidationFailed("Use lower-case letters, digits, - and _ only.", field="code")
        if db.session.scalar(select(func.count()).select_from(Category).where(Category.code == code)):
            raise Conflict("A category with this code already exists.", field="code")
        clean["code"] = code
    return clean


def create_category(actor: User, values: dict) -> Category:
    admin_only(actor)
    category = Category(**_category_values(values, None))
    add_recorded(actor, "category", category)
    return category


def update_category(actor: User, category: Category, values: dict) -> Category:
    """Change names, help and deadlines; new limits apply to tickets filed from now on."""
    admin_only(actor)
    before = snapshot(category)
    for key, value in _category_values(values, category).items():
        setattr(category, key, value)
    db.session.flush()
    record_change(actor, "category", category, "update", before)
    return category


# -- routing rules ---------------------------------------------------------------------------------


def _rule_department(jurisdiction: Jurisdiction, department_id) -> Department:
    department = db.session.get(Department, department_id or 0)
    if department is None:
        raise ValidationFailed("No such department.", field="department_id")
    if department.jurisdiction_id not in {node.id for node in ancestors(jurisdiction)}:
        raise ValidationFailed(
            "The department must belong to the rule's jurisdiction or one above it.", field="department_id"
        )
    return department


def create_routing_rule(actor: User, values: dict) -> RoutingRule:
    """(category, jurisdiction) → department; one rule per pair."""
    admin_only(actor)
    category = db.session.get(Category, values.get("category_id") or 0)
    if category is None:
        raise ValidationFailed("No such category.", field="category_id")
    jurisdiction = db.session.get(Jurisdiction, values.get("jurisdiction_id") or 0)
    if jurisdiction is None:
        raise ValidationFailed("No such jurisdiction.", field="jurisdiction_id")
    department = _rule_department(jurisdiction, values.get("department_id"))
    exists = (
        select(func.count())
        .select_from(RoutingRule)
        .where(RoutingRule.category_id == category.id, RoutingRule.jurisdiction_id == jurisdiction.id)
    )
    if db.session.scalar(exists):
        raise Conflict("There is already a rule for this category in this jurisdiction: edit it.", field="category_id")
    rule = RoutingRule(category_id=category.id, jurisdiction_id=jurisdiction.id, department_id=department.id)
    add_recorded(actor, "routing_rule", rule)
    return rule


def update_routing_rule(actor: User, rule: RoutingRule, department_id) -> RoutingRule:
    admin_only(actor)
    before = snapshot(rule)
    rule.department_id = _rule_department(rule.jurisdiction, department_id).id
    db.session.flush()
    record_change(actor, "routing_rule", rule, "update", before)
    return rule


def delete_routing_rule(actor: User, rule: RoutingRule) -> None:
    """Without the rule, routing falls back to the parent's rule, then the default department."""
    admin_only(actor)
    delete_recorded(actor, "routing_rule", rule)
