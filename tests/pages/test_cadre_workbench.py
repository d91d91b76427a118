"""The cadre workbench: the queue by colour, the department queue, every allowed action as a form,
internal notes, attachments, paired enterprises, filing on behalf, and leave."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from helpdesk.db import utcnow
from helpdesk.tickets.models import Attachment, Comment, Ticket
from helpdesk.tickets.services import allowed_actions, perform_action
from tests import factories as f
from tests.pages.conftest import PNG, act, errors_beside, fresh, text


def _with_colour(ticket, colour):
    """Move a ticket's thresholds so that it shows `colour` now."""
    now = utcnow()
    ticket.first_response_at = now - timedelta(hours=1)
    ticket.response_due_at = now + timedelta(days=1)
    if colour == "red":
        ticket.yellow_from, ticket.due_at, ticket.red_from = now - timedelta(days=9), now - timedelta(days=8), now
    elif colour == "orange":
        ticket.yellow_from, ticket.due_at = now - timedelta(days=2), now - timedelta(days=1)
        ticket.red_from = now + timedelta(days=3)
    elif colour == "yellow":
        ticket.yellow_from, ticket.due_at = now - timedelta(hours=1), now + timedelta(hours=5)
        ticket.red_from = now + timedelta(days=3)
    else:
        ticket.yellow_from, ticket.due_at = now + timedelta(days=2), now + timedelta(days=3)
        ticket.red_from = now + timedelta(days=6)
    f.db.session.flush()
    assert ticket.warning_at(utcnow()) == colour
    return ticket


def test_my_queue_is_sorted_red_orange_yellow_green_then_by_deadline(w, login):
    tickets = {}
    for colour in ("green", "yellow", "red", "orange"):
        tickets[colour] = _with_colour(w.ticket("in_progress", title=f"{colour} 诉求标题"), colour)
    later_red = _with_colour(w.ticket("assigned", title="another red one"), "red")
    later_red.due_at = tickets["red"].due_at + timedelta(hours=1)
    f.db.session.flush()
    html = text(login(w.liaison).get("/"))
    mine = html.split('id="mine-heading"')[1].split('id="dept-heading"')[0]
    order = re.findall(r'data-ticket="([^"]+)"', mine)
    expected = [
        tickets["red"].number,
        later_red.number,
        tickets["orange"].number,
        tickets["yellow"].number,
        tickets["green"].number,
    ]
    assert order == expected
    for colour in ("red", "orange", "yellow", "green"):
        assert f"badge-warning-{colour}" in mine


def test_the_department_queue_shows_unassigned_tickets_of_my_department(w, login):
    waiting = w.ticket("submitted")  # moved to 科技局 (st), which has no cadre
    st_cadre = f.fast_cadre("411602", "st")
    html = text(login(st_cadre).get("/workbench"))
    queue = html.split('id="dept-heading"')[1]
    assert waiting.number in queue


def test_the_ticket_page_has_a_form_for_every_allowed_action_with_the_fields_it_needs(w, login):
    ticket = w.ticket("in_progress")
    html = text(login(w.liaison).get(f"/tickets/{ticket.id}"))
    allowed = allowed_actions(w.liaison, ticket)
    assert set(allowed) == {"transfer", "escalate", "request_info", "add_cohandler", "resolve"}
    needs = {
        "transfer": ["note", "department_id"],
        "add_cohandler": ["department_id"],
        "request_info": ["note"],
        "resolve": ["note"],
        "escalate": [],
    }
    for action in allowed:
        form = html.split(f'action="/tickets/{ticket.id}/actions/{action}"')[1].split("</form>")[0]
        assert f'name="version" type="hidden" value="{ticket.version}"' in form
        for name in needs[action]:
            assert f'name="{name}"' in form
    assert 'data-action="accept"' not in html  # already accepted


def test_the_supervisors_forms_carry_pickers_for_assign_and_days_for_extend(w, login):
    ticket = w.ticket("in_progress")
    html = text(login(w.supervisor).get(f"/tickets/{ticket.id}"))
    assign = html.split(f'/tickets/{ticket.id}/actions/assign"')[1].split("</form>")[0]
    assert f'value="{w.colleague.id}"' in assign and f'value="{w.liaison.id}"' not in assign  # not the assignee
    assert f'value="{w.city_cadre.id}"' not in assign  # other level
    extend = html.split(f'/tickets/{ticket.id}/actions/extend"')[1].split("</form>")[0]
    assert 'name="days"' in extend and 'name="note"' in extend
    transfer = html.split(f'/tickets/{ticket.id}/actions/transfer"')[1].split("</form>")[0]
    assert f'value="{w.hrss.id}"' in transfer and f'value="{w.nr.id}"' not in transfer


def test_the_assignee_accepts_and_resolves(w, login):
    ticket = w.ticket("assigned")
    client = login(w.liaison)
    assert act(client, ticket, "accept").status_code == 302
    ticket = fresh(ticket)
    assert ticket.status == "in_progress" and ticket.first_response_at is not None
    response = act(client, ticket, "resolve", note="用地指标已下达")
    assert response.status_code == 302 and response.headers["Location"] == f"/tickets/{ticket.id}"
    assert fresh(ticket).status == "resolved"


def test_transfer_and_cohandling_validate_the_department_beside_the_field(w, login):
    ticket = w.ticket("in_progress")
    client = login(w.liaison)
    for bad in ("999999", "abc", str(w.nr.id), ""):
        response = act(client, ticket, "transfer", department_id=bad, note="转人社局")
        assert response.status_code == 422, bad
        assert errors_beside(text(response), "department_id", f"/tickets/{ticket.id}/actions/transfer"), bad
    assert act(client, ticket, "add_cohandler", department_id=w.finance.id).status_code == 302
    again = act(client, fresh(ticket), "add_cohandler", department_id=w.finance.id)
    assert again.status_code == 422  # no longer offered
    assert act(client, fresh(ticket), "transfer", department_id=w.hrss.id, note="属人社局职责").status_code == 302
    ticket = fresh(ticket)
    assert (ticket.department_id, ticket.assignee_id) == (w.hrss.id, w.hrss_cadre.id)


def test_a_cadre_writes_internal_notes_the_enterprise_does_not_see(w, login):
    ticket = w.ticket("in_progress")
    client = login(w.liaison)
    assert (
        client.post(f"/tickets/{ticket.id}/comments", data={"body": "内部协调记录", "internal": "y"}).status_code == 302
    )
    [note] = f.db.session.scalars(select(Comment).where(Comment.ticket_id == ticket.id))
    assert note.internal is True
    assert "内部协调记录" in text(client.get(f"/tickets/{ticket.id}"))
    assert "内部协调记录" not in text(login(w.owner).get(f"/tickets/{ticket.id}"))


def test_a_cadre_attaches_internal_files_hidden_from_the_enterprise(w, login):
    ticket = w.ticket("in_progress")
    client = login(w.liaison)
    response = client.post(
        f"/tickets/{ticket.id}/attachments",
        data={"file": (io.BytesIO(PNG), "内部.png"), "internal": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [attachment] = f.db.session.scalars(select(Attachment).where(Attachment.ticket_id == ticket.id))
    assert attachment.internal
    owner = login(w.owner)
    assert "内部.png" not in text(owner.get(f"/tickets/{ticket.id}"))
    assert owner.get(f"/attachments/{attachment.id}").status_code == 404
    empty = client.post(f"/tickets/{ticket.id}/attachments", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and errors_beside(text(empty), "file")


def test_my_paired_enterprises_are_listed(w, login):
    html = text(login(w.liaison).get("/enterprises?paired=1"))
    assert w.company.name in html and w.other_company.name not in html
    assert f"/tickets/new?enterprise_id={w.company.id}" in html


def test_a_cadre_files_on_behalf_of_a_visible_enterprise_only(w, login):
    client = login(w.liaison)
    form = text(client.get(f"/tickets/new?enterprise_id={w.company.id}"))
    assert f'<option selected value="{w.company.id}">' in form or f'value="{w.company.id}" selected' in form
    faraway = f.enterprise("411621")  # 扶沟县: outside 川汇区's subtree, not paired
    assert f'value="{faraway.id}"' not in form
    data = {
        "category": "land",
        "title": "代企业反映用地问题",
        "description": "企业反映二期用地指标尚未落实。",
        "priority": "urgent",
    }
    refused = client.post("/tickets/new", data={**data, "enterprise_id": faraway.id})
    assert refused.status_code == 422
    assert errors_beside(text(refused), "enterprise_id") == ["Not a valid choice."]
    assert client.post("/tickets/new", data={**data, "enterprise_id": w.company.id}).status_code == 302
    ticket = f.db.session.scalar(select(Ticket).where(Ticket.enterprise_id == w.company.id))
    assert (ticket.created_by_id, ticket.priority) == (w.liaison.id, "urgent")


def test_a_cadre_sets_its_leave(w, login):
    client = login(w.liaison)
    day = (utcnow() + timedelta(days=10)).date()
    assert client.post("/profile", data={"away_until": day.isoformat()}).status_code == 302
    assert fresh(w.liaison).away_until == day
    assert "new tickets are not routed to you" in text(client.get("/workbench"))
    past = client.post("/profile", data={"away_until": "2001-01-01"})
    assert past.status_code == 422 and errors_beside(text(past), "away_until")
    garbage = client.post("/profile", data={"away_until": "next tuesday"})
    assert garbage.status_code == 422 and errors_beside(text(garbage), "away_until")
    assert client.post("/profile", data={"away_until": ""}).status_code == 302
    assert fresh(w.liaison).away_until is None


def test_a_cadre_of_a_cohandling_department_sees_the_ticket_and_adds_notes(w, login):
    ticket = w.ticket("in_progress")
    perform_action(w.liaison, ticket, "add_cohandler", department_id=w.finance.id)
    f.db.session.flush()
    client = login(w.finance_cadre)
    assert ticket.number in text(client.get("/workbench")).split('id="co-heading"')[1]
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert 'id="actions"' not in page  # only the lead assignee acts
    assert (
        client.post(f"/tickets/{ticket.id}/comments", data={"body": "财政局意见", "internal": "y"}).status_code == 302
    )
