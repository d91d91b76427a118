"""Common issues in the dashboard (GET /reports/dashboard and the page): issues, tickets linked and
enterprises reached, by division and category; linked tickets count in the completion figures as any other."""

from __future__ import annotations

import pytest

from helpdesk.common_issues.services import create_common_issue, resolve_common_issue
from helpdesk.extensions import db
from helpdesk.reports.dashboard import build_dashboard
from tests import factories as f
from tests.pages.conftest import text

OUTAGE = "lianhua-substation-outages"
PERIOD = {"date_from": f.TUESDAY.date().replace(day=1), "date_to": f.TUESDAY.date().replace(month=4, day=1)}


@pytest.fixture()
def issue(w, corpus):
    group = corpus.group(OUTAGE)
    made = create_common_issue(
        w.city_supervisor, title="莲花变电站频繁停电", ticket_ids=[t.id for t in group],
        lead_department_id=f.department("411600", "power").id, now=f.TUESDAY,
    )  # fmt: skip
    db.session.commit()
    return made, group


def test_the_dashboard_counts_issues_tickets_and_enterprises(w, corpus, issue):
    made, group = issue
    board = build_dashboard(w.city_supervisor, **PERIOD)
    ci = board.common_issues
    enterprises = {t.enterprise_id for t in group}
    assert (ci.overall.issues, ci.overall.resolved_issues) == (1, 0)
    assert (ci.overall.tickets, ci.overall.enterprises) == (len(group), len(enterprises))
    by_county = {row.key: row.reached for row in ci.by_jurisdiction}
    for code in ("411602", "411603"):
        mine = [t for t in group if t.jurisdiction_id == f.jurisdiction(code).id]
        reached = by_county[f.jurisdiction(code).id]
        assert (reached.issues, reached.tickets) == (1, len(mine))
        assert reached.enterprises == len({t.enterprise_id for t in mine})
    assert [(row.key, row.reached.tickets) for row in ci.by_category] == [("utilities", len(group))]
    # A county supervisor sees its own county's part.
    county = build_dashboard(w.supervisor, **PERIOD).common_issues
    assert county.overall.tickets == sum(t.jurisdiction_id == f.jurisdiction("411602").id for t in group)


def test_resolving_counts_in_the_completion_figures_like_any_resolution(w, corpus, issue):
    made, group = issue
    before = build_dashboard(w.city_supervisor, **PERIOD)
    resolve_common_issue(w.city_supervisor, made, "线路已改造", now=f.TUESDAY)
    db.session.commit()
    after = build_dashboard(w.city_supervisor, **PERIOD)
    assert after.overall.eligible == before.overall.eligible
    assert after.overall.completed == before.overall.completed + len(group)
    assert after.common_issues.overall.resolved_issues == 1


def test_the_api_and_the_page_show_them(client, login, bearer, w, corpus, issue):
    made, group = issue
    query = {"from": PERIOD["date_from"].isoformat(), "to": PERIOD["date_to"].isoformat()}
    body = client.get("/api/v1/reports/dashboard", query_string=query, headers=bearer(w.city_supervisor)).get_json()
    assert body["common_issues"]["overall"]["tickets"] == len(group)
    assert {row["key"] for row in body["common_issues"]["by_category"]} == {"utilities"}
    for locale, heading in (("zh_CN", "共性问题"), ("en", "Common issues")):
        html = text(login(w.city_supervisor, locale).get("/dashboard", query_string={"period": "custom", **query}))
        assert 'id="common-issues-figures"' in html and heading in html
        assert 'id="common-issues-by-jurisdiction"' in html
