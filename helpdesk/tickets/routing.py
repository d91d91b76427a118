"""Routing (PRODUCT.md §4): which department handles a ticket, and which of its cadres; and the decision
in words, in any language.

The decision is stored as data (`Ticket.routing`, and the same dict in the event of the action that
routed): ids and codes, and why each part was chosen. `describe()` puts it into words in a locale with
the names the database holds in that language, so a page, the history, an email and the API each show
it in their reader's language.

    {"trigger": "file" | "transfer" | "escalation" | "assignment",
     "by_id": who transferred, escalated or assigned (null when filed),
     "category": the category code,
     "jurisdiction_id": where the ticket was routed (the handling level asked for),
     "from_jurisdiction_id": the level an escalation came from (else null),
     "department_id", "rule_id" (null without a rule),
     "rule_jurisdiction_id": the ancestor whose rule applied (parent_rule only, else null),
     "cadre_id" (null when nobody is available), "open_tickets": the chosen cadre's open tickets (least_loaded),
     "why": {"department": "rule" | "parent_rule" | "default_department" | "transfer" | "assigned_by_supervisor",
             "cadre": "liaison" | "least_loaded" | "no_cadre" | "assigned_by_supervisor"}}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask import g, has_request_context
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import joinedload

from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.i18n import catalog, translate
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule
from helpdesk.jurisdictions.queries import ancestors, categories_by_code

TRIGGERS = ("file", "transfer", "escalation", "assignment")
DEPARTMENT_WHYS = ("rule", "parent_rule", "default_department", "transfer", "assigned_by_supervisor")
CADRE_WHYS = ("liaison", "least_loaded", "no_cadre", "assigned_by_supervisor")


@dataclass(frozen=True)
class Route:
    department: Department
    assignee: User | None
    routing: dict  # the decision, as stored on the ticket (see the module's docstring)


def choose_department(category: Category, jurisdiction: Jurisdiction) -> tuple[Department, dict]:
    """The rule for (category, jurisdiction), else the nearest ancestor's rule, else the default department;
    with the facts of the choice (rule_id, rule_jurisdiction_id, why)."""
    chain = ancestors(jurisdiction)
    # Every level's rule for the category in one statement (with its department); the nearest wins.
    rules = {
        rule.jurisdiction_id: rule
        for rule in db.session.scalars(
            _statements()["rules"], {"category_id": category.id, "chain": [n.id for n in chain]}
        )
    }
    for node in chain:
        rule = rules.get(node.id)
        if rule is not None:
            here = node.id == jurisdiction.id
            return rule.department, {
                "rule_id": rule.id,
                "rule_jurisdiction_id": None if here else node.id,
                "why": "rule" if here else "parent_rule",
            }
    default = db.session.scalar(_statements()["default_department"], {"jurisdiction_id": jurisdiction.id})
    if default is None:
        raise LookupError(f"{jurisdiction.name} has no department to route to")
    return default, {"rule_id": None, "rule_jurisdiction_id": None, "why": "default_department"}


def available_cadres(department_id, today):
    """Active cadres of a department who are not on leave today (values, or parameters of a prebuilt statement)."""
    return select(User).where(
        User.role == Role.CADRE,
        User.department_id == department_id,
        User.active.is_(True),
        or_(User.away_until.is_(None), User.away_until < today),
    )


def choose_cadre(department: Department, liaison: User | None, today: date) -> tuple[User | None, dict]:
    """The enterprise's liaison if available there; else the least-loaded (then least recently assigned) cadre."""
    if liaison is not None and liaison.department_id == department.id and liaison.is_available(today):
        return liaison, {"open_tickets": None, "why": "liaison"}
    cadre = db.session.scalar(_statements()["least_loaded"], {"department_id": department.id, "today": today})
    if cadre is None:
        return None, {"open_tickets": None, "why": "no_cadre"}
    return cadre, {"open_tickets": cadre.open_tickets, "why": "least_loaded"}


@cache
def _statements() -> dict[str, Select]:
    """Routing's statements, built once and run with parameters: every filing runs them (building them each time
    was a tenth of a filing's routing)."""
    return {
        "rules": select(RoutingRule)
        .options(joinedload(RoutingRule.department))
        .where(
            RoutingRule.category_id == bindparam("category_id"),
            RoutingRule.jurisdiction_id.in_(bindparam("chain", expanding=True)),
        ),
        # the one marked default, else the oldest department of the jurisdiction
        "default_department": select(Department)
        .where(Department.jurisdiction_id == bindparam("jurisdiction_id"))
        .order_by(Department.is_default.desc(), Department.id)
        .limit(1),
        "least_loaded": available_cadres(bindparam("department_id"), bindparam("today"))
        .order_by(User.open_tickets, User.last_assigned_at.is_not(None), User.last_assigned_at, User.id)
        .limit(1),
    }


def decision(
    trigger: str,
    category: Category,
    jurisdiction: Jurisdiction,
    department: Department,
    cadre: User | None,
    *,
    department_why: str,
    cadre_why: str,
    by: User | None = None,
    **facts,
) -> dict:
    """The routing dict of the module's docstring (JSON-ready: ids, codes and why)."""
    return {
        "trigger": trigger,
        "by_id": by.id if by is not None else None,
        "category": category.code,
        "jurisdiction_id": jurisdiction.id,
        "from_jurisdiction_id": facts.get("from_jurisdiction_id"),
        "department_id": department.id,
        "rule_id": facts.get("rule_id"),
        "rule_jurisdiction_id": facts.get("rule_jurisdiction_id"),
        "cadre_id": cadre.id if cadre is not None else None,
        "open_tickets": facts.get("open_tickets"),
        "why": {"department": department_why, "cadre": cadre_why},
    }


def route(
    category: Category,
    jurisdiction: Jurisdiction,
    liaison: User | None,
    today: date,
    department: Department | None = None,
    *,
    trigger: str = "file",
    by: User | None = None,
    from_jurisdiction: Jurisdiction | None = None,
) -> Route:
    """Route to a department (given, as on transfer, or chosen by the rules) and a cadre inside it."""
    if department is None:
        department, facts = choose_department(category, jurisdiction)
    else:
        facts = {"why": "transfer"}
    cadre, cadre_facts = choose_cadre(department, liaison, today)
    routing = decision(
        trigger,
        category,
        jurisdiction,
        department,
        cadre,
        department_why=facts.pop("why"),
        cadre_why=cadre_facts.pop("why"),
        by=by,
        from_jurisdiction_id=from_jurisdiction.id if from_jurisdiction is not None else None,
        **facts,
        **cadre_facts,
    )
    return Route(department, cadre, routing)


# -- the decision in words ---------------------------------------------------------------------------


def _name(model, object_id, locale: str, known: dict) -> str:
    """A department's, jurisdiction's or person's name in `locale`; `known` keeps those of this request."""
    if object_id is None:
        return "—"
    key = (model.__name__, object_id)
    found = known.get(key, _UNREAD)
    if found is _UNREAD:
        found = known[key] = db.session.get(model, object_id)
    if found is None:
        return f"#{object_id}"
    return found.name if model is User else found.display_name(locale)


_UNREAD = object()


def _request_memo() -> dict:
    """The objects this request has named, by (model name, id); a fresh dict outside a request."""
    return g.setdefault("_routing_memo", {}) if has_request_context() else {}


def remember_names(named: list[tuple[type, object]]) -> None:
    """Jurisdictions, departments or people the request has read already, as (model, object with the model's `id`,
    `name` and `display_name`) (tickets/reads.py): the routing sentences name them without a statement."""
    if has_request_context():
        known = _request_memo()
        for model, found in named:
            known[(model.__name__, found.id)] = found


def _category_name(code: str | None, locale: str, known_category=None) -> str:
    # The ticket's own category when it is the one routed (already loaded); else the categories, read once per
    # request: a page of 100 tickets in the API describes 100 routings.
    if known_category is not None and known_category.code == code:
        return known_category.display_name(locale)
    found = categories_by_code().get(code or "")
    return found.display_name(locale) if found is not None else (code or "—")


def _sentences(routing: dict, locale: str, gettext, known: dict, category=None) -> list[str]:
    why = routing.get("why") or {}
    names = {
        "category": _category_name(routing.get("category"), locale, category),
        "jurisdiction": _name(Jurisdiction, routing.get("jurisdiction_id"), locale, known),
        "department": _name(Department, routing.get("department_id"), locale, known),
        "cadre": _name(User, routing.get("cadre_id"), locale, known),
        "person": _name(User, routing.get("by_id"), locale, known),
        "rule": routing.get("rule_id") or "—",
    }
    parts = []
    if routing.get("trigger") == "escalation":
        from_name = _name(Jurisdiction, routing.get("from_jurisdiction_id"), locale, known)
        parts.append(gettext("escalated from %(from)s to %(to)s", **{"from": from_name, "to": names["jurisdiction"]}))
    department_why = why.get("department")
    if department_why == "assigned_by_supervisor":
        return [gettext("assigned by %(person)s to %(cadre)s (%(department)s)", **names)]
    if department_why == "rule":
        parts.append(gettext("category %(category)s at %(jurisdiction)s → %(department)s by rule #%(rule)s", **names))
    elif department_why == "parent_rule":
        upper = _name(Jurisdiction, routing.get("rule_jurisdiction_id"), locale, known)
        parts.append(
            gettext(
                "category %(category)s at %(jurisdiction)s → %(department)s by rule #%(rule)s of %(upper)s "
                "(no rule at %(jurisdiction)s)",
                upper=upper,
                **names,
            )
        )
    elif department_why == "default_department":
        parts.append(
            gettext(
                "category %(category)s at %(jurisdiction)s: no routing rule here or above → %(department)s, "
                "the default department",
                **names,
            )
        )
    elif department_why == "transfer":
        parts.append(gettext("transferred by %(person)s to %(department)s", **names))
    cadre_why = why.get("cadre")
    if cadre_why == "liaison":
        parts.append(gettext("assigned to %(cadre)s, paired cadre of the enterprise", **names))
    elif cadre_why == "least_loaded":
        parts.append(
            gettext(
                "assigned to %(cadre)s, the available cadre with the fewest open tickets (%(open)s)",
                open=routing.get("open_tickets") or 0,
                **names,
            )
        )
    elif cadre_why == "no_cadre":
        parts.append(gettext("no available cadre in %(department)s: waiting in the department's queue", **names))
    return parts


def describe(routing: dict, locale: str, category=None) -> str:
    """The routing decision as one sentence in `locale` ("zh_CN", "en"), with names in that language (`category`:
    the ticket's, when it is loaded already).

    A page of tickets describes one decision per ticket: the names are found once per request, and the catalog of
    each language without entering `force_locale` (i18n.py catalog; those were most of a 25-ticket page's time in
    its routing sentences)."""
    known = _request_memo()
    translations = catalog(locale)

    def gettext(string: str, **variables) -> str:
        return translate(translations, string, **variables)

    parts = _sentences(routing, "en" if locale == "en" else locale, gettext, known, category)
    text = parts[0] if parts else ""
    for part in parts[1:]:
        text = gettext("%(first)s; %(then)s", first=text, then=part)
    return text


def routing_reason(routing: dict | None, recorded: str | None, locale: str, category=None) -> str:
    """What a ticket or an event says about its routing in `locale`: the decision in words, or for rows
    routed before decisions were stored (migration 0005), the English sentence recorded then."""
    if routing:
        return describe(routing, locale, category)
    return recorded or ""
