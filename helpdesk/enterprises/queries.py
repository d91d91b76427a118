"""The selects over enterprises that pages and the API share: who may see which company (PRODUCT.md §7)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select

from helpdesk.auth.models import Role, User
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction, Level
from helpdesk.jurisdictions.scope import office_scope


def enterprise_visibility(user: User) -> ColumnElement:
    """A WHERE clause: the enterprises this user may see (and file on behalf of).

    Its own company for an enterprise user; those in the office's jurisdictions (jurisdictions/scope.py),
    and for a cadre also those paired with it (包联企业).
    """
    if user.role == Role.ENTERPRISE:
        return Enterprise.id == user.enterprise_id if user.enterprise_id else false()
    in_scope = office_scope(user).clause(Enterprise.jurisdiction_id)
    if user.role == Role.CADRE:
        return or_(in_scope, Enterprise.liaison_id == user.id)
    return in_scope


def visible_enterprises(user: User) -> Select:
    """SELECT the enterprises the user may see; add filters and ordering on top."""
    return select(Enterprise).where(enterprise_visibility(user))


def find_visible_enterprise(user: User, enterprise_id: int) -> Enterprise | None:
    """The enterprise if the user may see it, else None (absent and invisible look the same)."""
    return db.session.scalar(visible_enterprises(user).where(Enterprise.id == enterprise_id))


def search_enterprises(query: Select, args) -> Select:
    """Apply a search's `q` (name or credit code), `key=1` and `jurisdiction_id` (from a query string) to an
    enterprise select; key enterprises (重点企业, the white list) first."""
    from helpdesk.pages import as_id

    q = (args.get("q") or "").replace("\x00", "").strip()[:100]
    if q:
        query = query.where(
            or_(Enterprise.name.icontains(q, autoescape=True), Enterprise.credit_code.icontains(q, autoescape=True))
        )
    if args.get("key") == "1":
        query = query.where(Enterprise.is_key.is_(True))
    jurisdiction_id = as_id(args.get("jurisdiction_id"))
    if jurisdiction_id:
        query = query.where(Enterprise.jurisdiction_id == jurisdiction_id)
    return query.order_by(Enterprise.is_key.desc(), Enterprise.name, Enterprise.id)


def counties_in_scope(user: User) -> Select:
    """The county-level divisions a user may register companies in (its office's jurisdictions)."""
    return (
        select(Jurisdiction)
        .where(Jurisdiction.level == Level.COUNTY.value, office_scope(user).clause(Jurisdiction.id))
        .order_by(Jurisdiction.code)
    )
