"""The callback pages: the queue with a form per row (supervisors and admins; 403 others), refusals beside
their field, the callbacks on the ticket page (government users only), both languages, phone-sized forms."""

from __future__ import annotations

import re

import pytest

from helpdesk.db import utcnow
from tests.callbacks.conftest import completed
from tests.pages.conftest import errors_beside, fresh, text


def _row_form(ticket) -> str:
    return f"/callbacks/{ticket.id}"


def _post(client, ticket, **answers):
    data = {f"t{ticket.id}-{name}": value for name, value in answers.items()}
    return client.post(_row_form(ticket), data=data)


@pytest.fixture()
def queued(w, app):
    app.config["CALLBACK_SAMPLE_PERCENT"] = 100
    now = utcnow()
    yield completed(w, "auto_closed", days_ago=4, at=now), completed(w, "closed", days_ago=2, at=now)
    app.config["CALLBACK_SAMPLE_PERCENT"] = 30


def test_the_queue_page_lists_the_tickets_to_call_with_a_form_each(login, w, queued, app):
    auto_closed, closed = queued
    html = text(login(w.supervisor).get("/callbacks"))
    rows = re.findall(r'data-ticket="([^"]+)" data-reason="(\w+)"', html)
    assert rows == [(auto_closed.number, "auto_closed"), (closed.number, "sample")]
    for ticket in queued:
        assert f'action="{_row_form(ticket)}"' in html
        assert f'name="t{ticket.id}-reached"' in html and f'name="t{ticket.id}-note"' in html
    assert 'id="queue-total" data-total="2"' in html
    assert 'href="/callbacks"' in html  # the navigation links it


@pytest.mark.parametrize("who", ["owner", "liaison"])
def test_the_queue_page_is_for_supervisors_and_admins(login, w, who):
    assert login(getattr(w, who)).get("/callbacks").status_code == 403
    assert login(getattr(w, who)).post("/callbacks/1", data={}).status_code == 403


def test_recording_a_callback_from_the_queue(login, w, queued):
    auto_closed, _closed = queued
    client = login(w.supervisor)
    response = _post(
        client, auto_closed, reached="yes", solved="yes", rating="satisfied", note="企业确认", next="/callbacks"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/callbacks")
    ticket = fresh(auto_closed)
    assert ticket.callback_state == "solved" and ticket.rating == "satisfied"
    html = text(client.get("/callbacks"))
    assert "Callback recorded." in html and auto_closed.number not in html.split('id="callback-queue"')[1]


def test_not_solved_from_the_queue_reopens_and_says_so(login, w, queued):
    _auto, closed = queued
    client = login(w.supervisor)
    response = _post(client, closed, reached="yes", solved="no", note="仍未落实")
    assert response.status_code == 302
    assert fresh(closed).status == "in_progress"
    assert "the ticket is reopened" in text(client.get("/callbacks"))


def test_a_refusal_is_shown_beside_its_field_in_the_readers_language(login, w, queued):
    auto_closed, _ = queued
    response = _post(login(w.supervisor, "zh_CN"), auto_closed, reached="yes", solved="no")
    assert response.status_code == 422
    html = text(response)
    [message] = errors_beside(html, f"t{auto_closed.id}-note", _row_form(auto_closed))
    assert not message.isascii()  # in Chinese
    assert fresh(auto_closed).callback_state is None


def test_an_unanswered_choice_is_refused(login, w, queued):
    auto_closed, _ = queued
    response = _post(login(w.supervisor), auto_closed, note="忘了选")
    assert response.status_code == 422
    assert errors_beside(text(response), f"t{auto_closed.id}-reached", _row_form(auto_closed))


def test_a_ticket_reopened_meanwhile_is_a_message_not_an_error_page(login, w, queued):
    _auto, closed = queued
    client = login(w.supervisor)
    _post(client, closed, reached="yes", solved="no", note="仍未落实")
    response = _post(client, closed, reached="yes", solved="yes")
    assert response.status_code == 302
    assert "Only a resolved or closed ticket can be called back" in text(client.get("/callbacks"))


def test_the_ticket_page_lists_callbacks_for_government_users_only(login, w, queued):
    auto_closed, _ = queued
    supervisor = login(w.supervisor)
    _post(supervisor, auto_closed, reached="no", next=f"/tickets/{auto_closed.id}#callbacks")
    _post(supervisor, auto_closed, reached="yes", solved="yes", note="已核实，企业满意")
    page = text(supervisor.get(f"/tickets/{auto_closed.id}"))
    states = re.findall(r'data-callback="(\w+)"', page)
    assert states == ["unreached", "solved"] and "已核实，企业满意" in page
    assert f'action="{_row_form(auto_closed)}"' in page  # a supervisor may record another one there
    cadre_page = text(login(w.liaison).get(f"/tickets/{auto_closed.id}"))
    assert re.findall(r'data-callback="(\w+)"', cadre_page) == ["unreached", "solved"]
    assert f'action="{_row_form(auto_closed)}"' not in cadre_page
    owner_page = text(login(w.owner).get(f"/tickets/{auto_closed.id}"))
    assert 'id="callbacks"' not in owner_page and "已核实，企业满意" not in owner_page


def test_a_refusal_from_the_ticket_page_goes_back_to_it(login, w, queued):
    auto_closed, _ = queued
    client = login(w.supervisor)
    back = f"/tickets/{auto_closed.id}#callbacks"
    response = _post(client, auto_closed, reached="no", solved="yes", next=back)
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert "can only be said when the enterprise was reached" in text(client.get(f"/tickets/{auto_closed.id}"))


def test_an_unsafe_next_is_ignored(login, w, queued):
    auto_closed, _ = queued
    response = _post(login(w.supervisor), auto_closed, reached="no", next="//evil.example/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/callbacks")


def test_the_queue_page_in_chinese(login, w, queued):
    html = text(login(w.supervisor, "zh_CN").get("/callbacks"))
    assert "回访" in html


def test_the_dashboard_shows_the_two_callback_figures(login, w, queued):
    html = text(login(w.supervisor).get("/dashboard?period=all"))
    assert "Called back" in html and "Verified solved" in html
