"""subtree_select (a recursive subquery, for one-row lookups) covers exactly the jurisdictions Scope.clause lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction
from helpdesk.jurisdictions.scope import office_scope, subtree_select, supervised_scope
from tests import factories


@pytest.fixture()
def world(db):
    return factories.World()


def codes(condition) -> set[str]:
    return set(db.session.scalars(select(Jurisdiction.code).where(condition)))


def subquery_codes(scope) -> set[str]:
    """The jurisdictions of `scope` through the recursive subquery (a SELECT root, a cadre's office, as a subquery)."""
    if scope.everything:
        return codes(Jurisdiction.id.is_not(None))
    roots = [root if isinstance(root, int) else root.scalar_subquery() for root in scope.roots]
    return codes(Jurisdiction.id.in_(subtree_select(roots))) if roots else set()


@pytest.mark.parametrize(
    "who", ["admin", "supervisor", "city_supervisor", "other_supervisor", "liaison", "city_cadre", "owner"]
)
@pytest.mark.parametrize("scope_of", [office_scope, supervised_scope])
def test_the_subquery_and_the_id_list_cover_the_same_jurisdictions(world, who, scope_of):
    scope = scope_of(getattr(world, who))
    assert subquery_codes(scope) == codes(scope.clause(Jurisdiction.id))


def test_a_county_supervisors_subtree_is_its_county_and_a_city_supervisors_takes_its_counties(world):
    county = subquery_codes(supervised_scope(world.supervisor))
    city = subquery_codes(supervised_scope(world.city_supervisor))
    assert county == {"411602"}
    assert {"411600", "411602", "411603"} <= city and "410000" not in city
    assert subquery_codes(supervised_scope(world.owner)) == set()  # an enterprise supervises nothing
