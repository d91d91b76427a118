"""GET /api/v1/reports/dashboard: the dashboard's judgements as JSON, the same the page shows for the same scope."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from helpdesk.reports.dashboard import laggards, rank_by_score, tile_colour
from helpdesk.reports.figures import Counts, Figures, Row, figures_from
from tests import factories
from tests.api.conftest import assert_error_shape

PASSWORD = "correct horse"
PERIOD = {"from": "2025-01-01", "to": "2026-01-01"}


@pytest.fixture()
def scene(world):
    """A year of 川汇区 and 淮阳区 tickets: 川汇区 with a red one and a completed one, 淮阳区 with one completed."""
    day = factories.TUESDAY
    world.ticket("in_progress", now=day)  # long overdue: red
    world.ticket("closed", now=day)
    factories.fast_cadre("411603", "tax")
    huaiyang = factories.enterprise("411603")
    owner = factories.fast_enterprise_user(huaiyang)
    ticket = factories.file(owner, category="tax", now=day)
    from helpdesk.tickets.services import perform_action

    cadre = ticket.assignee
    perform_action(cadre, ticket, "accept", now=day)
    perform_action(cadre, ticket, "resolve", note="已退税", now=day + timedelta(hours=1))
    return world


def _dashboard(client, headers, **args):
    response = client.get("/api/v1/reports/dashboard", query_string=args, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _page(app, user, **args):
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    factories.db.session.flush()
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.post("/language/en")
    return client.get("/dashboard", query_string={"period": "custom", **args}).get_data(as_text=True)


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def test_the_page_shows_exactly_what_the_api_answers_for_the_same_scope(app, client, scene, bearer):
    scene.city_supervisor.locale = "en"  # labels come in the caller's language, on the page as in the API
    body = _dashboard(client, bearer(scene.city_supervisor), **PERIOD)
    html = _page(app, scene.city_supervisor, **PERIOD)

    assert body["board_root"]["code"] == "411600"
    assert re.search(r'id="completion-rate">([^<]*)<', html).group(1) == _pct(body["overall"]["completion_rate"])
    assert body["overall"]["eligible"] == 3 and body["overall"]["completed"] == 2
    for colour, count in body["open_by_warning"].items():
        if colour != "awaiting":
            assert re.search(rf'data-open="{colour}">[^<]* {count}<', html), colour
    # The board: one tile per county, each in the colour the API gives it.
    page_tiles = {
        int(key): colour for colour, key in re.findall(r'board-tile tile-(\w+)" data-jurisdiction="(\d+)"', html)
    }
    assert page_tiles == {tile["key"]: tile["colour"] for tile in body["board"]}
    assert len(page_tiles) == 10
    chuanhui = factories.jurisdiction("411602").id
    assert page_tiles[chuanhui] == "red"
    # League tables and laggards: the same rows in the same order with the same ranks.
    league = html.split('id="league-jurisdictions"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", league)
    assert [(int(rank), label) for rank, label in rows] == [
        (r["rank"], r["label"]) for r in body["league_jurisdictions"]
    ]
    laggard_labels = re.findall(
        r'<div class="text-break">([^<]+)</div>', html.split('id="laggards"')[1].split("</ol>")[0]
    )
    assert laggard_labels == [item["label"] for item in body["laggards"]]
    assert [item["label"] for item in body["laggards"]][0] in (scene.nr.name_en, "Chuanhui District")


def test_the_dashboard_document_has_every_part(client, scene, bearer):
    body = _dashboard(client, bearer(scene.city_supervisor), **PERIOD)
    assert set(body) == {
        "target", "as_of", "from", "to", "board_root", "overall", "open_by_warning", "board",
        "league_jurisdictions", "league_departments", "laggards", "busiest_departments", "trend", "common_issues",
    }  # fmt: skip
    assert body["from"] == "2025-01-01" and body["to"] == "2026-01-01"
    assert [point["month"] for point in body["trend"]] == [f"2025-{m:02d}" for m in range(1, 13)]
    march = next(point for point in body["trend"] if point["month"] == "2025-03")
    assert march["figures"]["eligible"] == 3 and body["trend"][0]["figures"] is None
    gaps = [item["gap_to_target"] for item in body["laggards"]]
    assert gaps == sorted(gaps, reverse=True) and all(gaps)
    scores = [row["score"] for row in body["league_departments"]]
    assert scores == sorted(scores, reverse=True)


def test_a_county_supervisor_sees_its_county_and_the_province_goes_down_to_the_city(client, scene, bearer):
    county = _dashboard(client, bearer(scene.supervisor), **PERIOD)
    assert county["board_root"]["code"] == "411602" and county["overall"]["eligible"] == 2
    province = _dashboard(client, bearer(factories.fast_supervisor("410000")), **PERIOD)
    assert province["board_root"]["code"] == "411600"  # the province has one city: its counties are the board
    assert province["overall"] == _dashboard(client, bearer(scene.city_supervisor), **PERIOD)["overall"]


def test_a_cadre_gets_its_own_figures_and_no_board(client, scene, bearer):
    body = _dashboard(client, bearer(scene.liaison), **PERIOD)
    assert body["board"] == [] and body["board_root"] is None
    assert body["overall"]["eligible"] == 2  # the two 川汇区 tickets assigned to 王芳


@pytest.mark.parametrize(
    ("who", "args", "status", "field"),
    [
        ("owner", {}, 403, None),  # enterprises get no reports
        ("supervisor", {"jurisdiction": "411603"}, 403, None),  # 淮阳区 is not the 川汇区 supervisor's
        ("supervisor", {"category": "nonsense"}, 422, "category"),
        ("supervisor", {"from": "2026-01-01", "to": "2025-01-01"}, 422, "to"),
        ("supervisor", {"group_by": "month"}, 422, "group_by"),  # not a parameter of the dashboard
    ],
)
def test_refusals(client, scene, bearer, who, args, status, field):
    if "jurisdiction" in args:
        args = {"jurisdiction_id": factories.jurisdiction(args.pop("jurisdiction")).id}
    response = client.get("/api/v1/reports/dashboard", query_string=args, headers=bearer(getattr(scene, who)))
    body = assert_error_shape(response, status)
    if field:
        assert field in body["errors"]["query"]


def test_the_dashboard_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/reports/dashboard"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "jurisdiction_id",
        "department_id",
        "category",
        "from",
        "to",
    }


# -- the judgements, as pure functions -------------------------------------------------------------------


def _figures(**counts) -> Figures:
    return figures_from(
        Counts(**counts), 0.99, {"response_rate": 0.1, "completion_rate": 0.5, "satisfaction_rate": 0.4}
    )


def test_a_tile_takes_the_colour_of_its_worst_open_ticket():
    assert tile_colour(_figures(total=5, green=3, yellow=1)) == "yellow"
    assert tile_colour(_figures(total=5, yellow=1, red=1, orange=2)) == "red"
    assert tile_colour(_figures(total=5, green=2, awaiting=3)) == "green"
    assert tile_colour(_figures()) == "green"


def test_league_ranks_share_a_place_on_equal_scores_and_leave_out_rows_without_one():
    good, same, worse = (_figures(total=10, completed=c, rated=0) for c in (10, 10, 5))
    rows = [Row(3, "丙", worse), Row(1, "甲", good), Row(2, "乙", same), Row(4, "丁", _figures())]
    ranked = rank_by_score(rows)
    assert [(r.rank, r.label) for r in ranked] == [(1, "乙"), (1, "甲"), (3, "丙")]


def test_laggards_are_sorted_by_the_completions_they_still_need():
    departments = [Row(1, "A", _figures(total=10, completed=5)), Row(2, "B", _figures(total=10, completed=10))]
    counties = [Row(3, "C", _figures(total=100, completed=90))]
    assert [(item.kind, item.label, item.figures.gap_to_target) for item in laggards(counties, departments)] == [
        ("jurisdiction", "C", 9),
        ("department", "A", 5),
    ]
