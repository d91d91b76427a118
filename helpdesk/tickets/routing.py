"""Routing (PRODUCT.md §4): which department handles a ticket, and which of its cadres."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule
from helpdesk.jurisdictions.queries import ancestors


@dataclass(frozen=True)
class Route:
    department: Department
    assignee: User | None
    reason: str


def choose_department(category: Category, jurisdiction: Jurisdiction) -> tuple[Department, str]:
    """The rule for (category, jurisdiction), else the nearest ancestor's rule, else the default department."""
    for node in ancestors(jurisdiction):
        rule = db.session.scalar(
            select(RoutingRule).where(RoutingRule.category_id == category.id, RoutingRule.jurisdiction_id == node.id)
        )
        if rule is not None:
            where = "" if node.id == jurisdiction.id else f" (no rule at {jurisdiction.name}; rule of {node.name})"
            return rule.department, (
                f"category {category.code} at {jurisdiction.name} → {rule.department.name} by rule #{rule.id}{where}"
            )
    default = db.session.scalar(
        select(Department).where(Department.jurisdiction_id == jurisdiction.id, Department.is_default.is_(True))
    )
    if default is None:
        default = db.session.scalar(
            select(Department).where(Department.jurisdiction_id == jurisdiction.id).order_by(Department.id)
        )
    if default is None:
        raise LookupError(f"{jurisdiction.name} has no department to route to")
    return default, (
        f"category {category.code} at {jurisdiction.name}: no routing rule here or above → "
        f"{default.name}, the default department"
    )


def available_cadres(department_id: int, today: date):
    """Active cadres of a department who are not on leave today."""
    return select(User).where(
        User.role == Role.CADRE,
        User.department_id == department_id,
        User.active.is_(True),
        or_(User.away_until.is_(None), User.away_until < today),
    )


def choose_cadre(department: Department, liaison: User | None, today: date) -> tuple[User | None, str]:
    """The enterprise's liaison if available there; else the least-loaded (then least recently assigned) cadre."""
    if liaison is not None and liaison.department_id == department.id and liaison.is_available(today):
        return liaison, f"assigned to {liaison.name}, paired cadre of the enterprise"
    cadre = db.session.scalar(
        available_cadres(department.id, today)
        .order_by(User.open_tickets, User.last_assigned_at.is_not(None), User.last_assigned_at, User.id)
        .limit(1)
    )
    if cadre is None:
        return None, f"no available cadre in {department.name}: waiting in the department's queue"
    return cadre, f"assigned to {cadre.name}, the available cadre with the fewest open tickets ({cadre.open_tickets})"


def route(
    category: Category,
    jurisdiction: Jurisdiction,
    liaison: User | None,
    today: date,
    department: Department | None = None,
) -> Route:
    """Route to a department (given, as on transfer, or chosen by the rules) and a cadre inside it."""
    if department is None:
        department, department_reason = choose_department(category, jurisdiction)
    else:
        department_reason = f"transferred to {department.name}"
    cadre, cadre_reason = choose_cadre(department, liaison, today)
    return Route(department, cadre, f"{department_reason}; {cadre_reason}")
