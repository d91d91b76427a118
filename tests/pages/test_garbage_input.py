"""No input makes a page fail: wrong types, huge text, NUL characters, ids of objects the user cannot see,
missing fields. Every answer is a page with a message (4xx) or a redirect, never a 500."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.pages.conftest import errors_beside, text

HUGE = "诉" * 2_000 + "x" * 60_000  # twelve times the longest text any field takes
GARBAGE = [
    "",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "1.5",
    HUGE,
    "\x00\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "２０２６-０１-０１",
]
FIELDS = [
    "note",
    "version",
    "department_id",
    "assignee_id",
    "rating",
    "days",
    "body",
    "internal",
    "title",
    "description",
    "category",
    "priority",
    "enterprise_id",
    "email",
    "name",
    "password",
    "role",
    "credit_code",
    "jurisdiction_id",
    "locale",
    "away_until",
    "code",
    "name_en",
    "help",
    "response_days",
    "resolution_days",
    "position",
    "category_id",
    "day",
    "is_workday",
    "liaison_id",
    "industry",
    "size",
    "is_key",
    "next",
]
TEXT_FIELDS = ["note", "body", "title", "description", "name", "email", "password", "credit_code", "help"]


def _posts(w, ticket, invisible):
    t, x = ticket.id, invisible.id
    return {
        "enterprise": [
            f"/tickets/{t}/actions/{a}" for a in ("confirm", "reopen", "withdraw", "provide_info", "urge", "nonsense")
        ]
        + [
            f"/tickets/{t}/comments",
            f"/tickets/{t}/attachments",
            "/tickets/new",
            f"/tickets/{x}/actions/withdraw",
            "/notifications/999/read",
            "/notifications/read-all",
            "/profile",
            "/tickets/new?enterprise_id=abc",
        ],
        "cadre": [
            f"/tickets/{t}/actions/{a}"
            for a in ("transfer", "add_cohandler", "resolve", "request_info", "escalate", "accept")
        ]
        + ["/tickets/new", "/profile", "/enterprises/new", f"/tickets/{x}/comments"],
        "supervisor": [f"/tickets/{t}/actions/{a}" for a in ("assign", "extend", "decline", "urge", "transfer")]
        + ["/tickets/new", "/enterprises/new"],
        "admin": [
            "/admin/users/new",
            f"/admin/users/{w.owner.id}",
            f"/admin/users/{w.owner.id}/password",
            f"/admin/users/{w.liaison.id}",
            "/admin/enterprises/new",
            f"/admin/enterprises/{w.company.id}",
            f"/admin/enterprises/{w.company.id}/pair",
            "/admin/enterprises/import",
            "/admin/departments/new",
            f"/admin/departments/{w.nr.id}",
            "/admin/categories/new",
            "/admin/categories/1",
            "/admin/routing-rules/new",
            "/admin/routing-rules/1",
            "/admin/holidays",
            f"/tickets/{t}/actions/assign",
        ],
    }


@pytest.mark.parametrize("role", ["enterprise", "cadre", "supervisor", "admin"])
def test_garbage_posts_never_fail(w, login, role):
    ticket = w.ticket("in_progress")
    invisible = f.file(f.fast_enterprise_user(f.enterprise("411603")), category="land")
    person = {"enterprise": w.owner, "cadre": w.liaison, "supervisor": w.supervisor, "admin": w.admin}[role]
    client = login(person)
    for url in _posts(w, ticket, invisible)[role]:
        for value in GARBAGE:
            # Huge text in the text fields only: it is the length, not the count, that tests the limits.
            names = TEXT_FIELDS if value is HUGE else FIELDS
            response = client.post(url, data={name: value for name in names})
            assert response.status_code < 500, (url, value[:20], response.status_code)
            if response.status_code == 200 or response.status_code >= 400:
                assert "<script>alert(1)</script>" not in text(response)
        assert client.post(url, data={}).status_code < 500, url


@pytest.mark.parametrize(
    "url",
    [
        "/tickets?status=<x>&warning=purple&category=%00&jurisdiction_id=abc&department_id=-5&assignee=me&q=%00%27&page=-3",
        "/tickets?q=" + "x" * 5000 + "&sort=due&enterprise_id=99999999999999999999",
        "/enterprises?q=%00&key=1&jurisdiction_id=x&page=999999",
        "/enterprises?paired=1&q=%25_%25",
        "/tickets/new?q=%00&enterprise_id=-1",
        "/dashboard?period=custom&from=%00&to=9999-99-99&category=%00&jurisdiction_id=-1",
        "/dashboard/export.csv?group_by=%00&period=all",
        "/notifications?unread=1&page=abc",
        "/admin/users?q=%00&role=x&active=2&department_id=x&jurisdiction_id=999",
        "/admin/enterprises?q=%00",
        "/admin/departments?q=%00&jurisdiction_id=x",
        "/admin/routing-rules?jurisdiction_id=x&category_id=%00",
        "/admin/holidays?year=abc&page=-1",
        "/admin/audit?entity=%00&entity_id=-1",
        "/tickets/99999999",
        "/tickets/99999999999999999999999",
        "/admin/users/99999999999999999999999",
        "/notifications/99999999999999999999999",
        "/tickets/-1",
        "/attachments/999999",
        "/enterprises/999999",
        "/admin/users/999999",
    ],
)
def test_garbage_query_strings_never_fail(w, login, url):
    response = login(w.admin).get(url)
    assert response.status_code < 500, response.status_code
    if response.status_code in (301, 302, 303):
        assert not response.headers["Location"].startswith("//")


@pytest.mark.parametrize("url", ["/language/klingon?next=//evil.example", "/language/en?next=/%0d%0aSet-Cookie:x=1"])
def test_garbage_language_switches_never_fail(w, login, url):
    response = login(w.admin).post(url)
    assert response.status_code < 500, response.status_code
    if response.status_code in (301, 302, 303):
        assert not response.headers["Location"].startswith("//")


def test_the_language_switch_stays_on_this_site(w, login):
    client = login(w.owner)
    for target in ("//evil.example", "https://evil.example", "/\\evil.example"):
        response = client.post(f"/language/en?next={target}")
        assert response.headers["Location"] == "/"
    assert client.post("/language/zh_CN?next=/tickets").headers["Location"] == "/tickets"


def test_a_megabyte_of_text_is_refused_beside_the_field(w, login):
    ticket = w.ticket("resolved")
    response = login(w.owner).post(
        f"/tickets/{ticket.id}/actions/reopen", data={"version": ticket.version, "note": "x" * 1_000_000}
    )
    assert response.status_code == 422
    assert errors_beside(text(response), "note", f"/tickets/{ticket.id}/actions/reopen") == [
        "Field cannot be longer than 5000 characters."
    ]
