"""The enterprise portal: file an issue, follow it, answer, confirm with a rating, reopen, withdraw."""

from __future__ import annotations

import io

from sqlalchemy import select

from helpdesk.tickets.models import Attachment, Comment, Ticket
from helpdesk.tickets.services import add_comment, perform_action
from tests import factories as f
from tests.pages.conftest import PNG, act, errors_beside, form_errors, fresh, text

GOOD = {
    "category": "land",
    "title": "扩建用地指标迟迟未落实",
    "description": "二期项目用地指标承诺三个月仍未落实，影响开工。",
    "priority": "normal",
}


def _tickets_of(company):
    return list(f.db.session.scalars(select(Ticket).where(Ticket.enterprise_id == company.id)))


def test_enterprise_files_an_issue_and_it_is_routed_at_once(w, login):
    client = login(w.owner)
    response = client.post("/tickets/new", data=GOOD)
    assert response.status_code == 302
    [ticket] = _tickets_of(w.company)
    assert response.headers["Location"] == f"/tickets/{ticket.id}"
    assert (ticket.status, ticket.assignee_id, ticket.created_by_id) == ("assigned", w.liaison.id, w.owner.id)
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert ticket.number in page and "扩建用地指标迟迟未落实" in page and w.liaison.name in page
    home = text(client.get("/"))
    assert ticket.number in home and 'data-warning="green"' in home and "Due" in home


def test_the_filing_form_explains_each_category_in_the_users_language(w, login):
    page = text(login(w.owner).get("/tickets/new"))
    assert "Land quotas, land sales, property registration" in page
    assert 'name="enterprise_id"' not in page  # an enterprise files for itself
    chinese = text(login(w.owner, "zh_CN").get("/tickets/new"))
    assert "用地指标、土地出让、不动产登记等问题" in chinese


def test_filing_errors_are_shown_beside_their_fields_and_nothing_is_filed(w, login):
    client = login(w.owner)
    response = client.post(
        "/tickets/new",
        data={**GOOD, "title": "短", "description": "x" * 5001, "category": "nonsense", "priority": "soon"},
    )
    assert response.status_code == 422
    html = text(response)
    assert errors_beside(html, "title") == ["Field must be between 5 and 200 characters long."]
    assert errors_beside(html, "description")
    assert errors_beside(html, "category") == ["Not a valid choice."]
    assert errors_beside(html, "priority") == ["Not a valid choice."]
    assert _tickets_of(w.company) == []


def test_an_enterprise_cannot_file_for_another_company(w, login):
    response = login(w.owner).post("/tickets/new", data={**GOOD, "enterprise_id": w.other_company.id})
    assert response.status_code == 302
    assert _tickets_of(w.other_company) == [] and len(_tickets_of(w.company)) == 1


def test_attachments_are_stored_with_the_issue(w, login, app):
    client = login(w.owner)
    response = client.post(
        "/tickets/new",
        data={**GOOD, "attachments": [(io.BytesIO(PNG), "红线图.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [ticket] = _tickets_of(w.company)
    [attachment] = f.db.session.scalars(select(Attachment).where(Attachment.ticket_id == ticket.id))
    assert attachment.filename == "红线图.png" and attachment.content_type == "image/png"
    with client.get(f"/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == PNG
        assert "attachment" in download.headers["Content-Disposition"]
    assert login(w.stranger).get(f"/attachments/{attachment.id}").status_code == 404


def test_a_file_of_a_forbidden_type_is_refused_beside_the_field_and_nothing_is_filed(w, login):
    client = login(w.owner)
    response = client.post(
        "/tickets/new",
        data={**GOOD, "attachments": [(io.BytesIO(b"MZ\x90\x00evil"), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert errors_beside(text(response), "attachments") == [
        "Only PDF, PNG, JPG, DOCX, XLSX files can be attached (judged by their content)."
    ]
    assert _tickets_of(w.company) == []


def test_the_enterprise_sees_the_public_history_only(w, login):
    ticket = w.ticket("in_progress")
    perform_action(w.supervisor, ticket, "urge", note="请加快办理")
    add_comment(w.liaison, ticket, "内部：需协调自然资源局", internal=True)
    add_comment(w.liaison, ticket, "已联系相关科室", internal=False)
    f.db.session.flush()
    html = text(login(w.owner).get(f"/tickets/{ticket.id}"))
    assert "已联系相关科室" in html
    assert "内部：需协调自然资源局" not in html and 'data-event="urge"' not in html and "请加快办理" not in html
    assert 'name="internal"' not in html  # no internal notes for enterprise users
    government = text(login(w.liaison).get(f"/tickets/{ticket.id}"))
    assert "内部：需协调自然资源局" in government and 'data-event="urge"' in government


def test_the_enterprise_confirms_with_a_rating_and_a_comment(w, login):
    ticket = w.ticket("resolved")
    client = login(w.owner)
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert 'data-action="confirm"' in page and 'data-action="reopen"' in page
    for rating in ("satisfied", "basically_satisfied", "dissatisfied"):
        assert f'value="{rating}"' in page
    response = act(client, ticket, "confirm", rating="basically_satisfied", note="办得不错")
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.status, ticket.rating) == ("closed", "basically_satisfied")
    assert ticket.events[-1].note == "办得不错"
    assert "Basically satisfied" in text(client.get(f"/tickets/{ticket.id}"))


def test_confirming_without_a_rating_asks_for_one_beside_the_field(w, login):
    ticket = w.ticket("resolved")
    response = act(login(w.owner), ticket, "confirm", note="")
    assert response.status_code == 422
    assert errors_beside(text(response), "rating", f"/tickets/{ticket.id}/actions/confirm") == [
        "This field is required."
    ]
    assert fresh(ticket).status == "resolved"


def test_reopening_needs_a_reason(w, login):
    ticket = w.ticket("resolved")
    client = login(w.owner)
    response = act(client, ticket, "reopen", note="")
    assert response.status_code == 422
    assert errors_beside(text(response), "note", f"/tickets/{ticket.id}/actions/reopen")
    assert act(client, ticket, "reopen", note="指标仍未下达").status_code == 302
    ticket = fresh(ticket)
    assert (ticket.status, ticket.reopen_count) == ("in_progress", 1)


def test_the_enterprise_answers_a_request_for_information(w, login):
    ticket = w.ticket("awaiting_enterprise")
    client = login(w.owner)
    assert "Waiting for your answer" in text(client.get("/"))
    assert act(client, ticket, "provide_info", note="红线图已上传").status_code == 302
    assert fresh(ticket).status == "in_progress"


def test_the_enterprise_withdraws_with_a_reason(w, login):
    ticket = w.ticket("assigned")
    assert act(login(w.owner), ticket, "withdraw", note="问题已自行解决").status_code == 302
    assert fresh(ticket).status == "withdrawn"


def test_a_stale_page_gets_the_conflict_message(w, login):
    ticket = w.ticket("resolved")
    client = login(w.owner)
    stale_version = ticket.version
    perform_action(w.owner, ticket, "reopen", note="还没解决")
    perform_action(w.liaison, ticket, "resolve", note="已再次办结")
    f.db.session.flush()
    response = act(client, ticket, "confirm", rating="satisfied", version=stale_version)
    assert response.status_code == 409
    assert "has changed since you opened the page" in text(response)
    assert fresh(ticket).status == "resolved"


def test_comments_are_validated_beside_the_field(w, login):
    ticket = w.ticket("in_progress")
    client = login(w.owner)
    response = client.post(f"/tickets/{ticket.id}/comments", data={"body": "   "})
    assert response.status_code == 422
    assert errors_beside(text(response), "body")
    response = client.post(f"/tickets/{ticket.id}/comments", data={"body": "谢谢", "internal": "y"})
    assert response.status_code == 302
    [comment] = f.db.session.scalars(select(Comment).where(Comment.ticket_id == ticket.id))
    assert comment.internal is False  # an enterprise user cannot post internal notes, whatever it sends
    assert form_errors(text(client.get(f"/tickets/{ticket.id}"))) == []


def test_an_action_the_status_no_longer_allows_is_a_conflict_in_the_users_words(w, login):
    ticket = w.ticket("closed")
    response = act(login(w.owner, "zh_CN"), ticket, "reopen", note="还想重办")
    assert response.status_code == 409
    assert "诉求处于“已销号”状态，不能“重办”。" in text(response)


def test_the_type_refusal_is_translated(w, login):
    client = login(w.owner, "zh_CN")
    response = client.post(
        "/tickets/new",
        data={**GOOD, "attachments": [(io.BytesIO(b"MZ\x90\x00evil"), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert errors_beside(text(response), "attachments") == [
        "只能上传 PDF、PNG、JPG、DOCX、XLSX 文件（按文件内容判断）。"
    ]
