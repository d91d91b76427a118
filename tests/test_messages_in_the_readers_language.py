"""A service's message with values is English for the API (`.message`) and the reader's language on pages
(`.localized()`), values included: party, action and status labels, credit-code details, emails."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from helpdesk.auth.services import create_user
from helpdesk.enterprises.credit_code import CreditCodeError, make_credit_code, validate_credit_code
from helpdesk.enterprises.services import create_enterprise
from helpdesk.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.tickets.services import perform_action
from tests import factories as f


@pytest.fixture()
def w(db):
    return f.World()


def _both(exc) -> tuple[str, str, str]:
    with force_locale("zh_CN"):
        chinese = exc.localized()
    with force_locale("en"):
        english = exc.localized()
    return exc.message, english, chinese


def test_who_may_act_is_named_in_the_readers_words(w):
    ticket = w.ticket("in_progress")
    with pytest.raises(NotAllowed) as refused:
        perform_action(w.owner, ticket, "resolve", note="我自己解决了", now=f.TUESDAY)
    assert _both(refused.value) == (
        "Only the assignee may resolve this ticket.",
        "Only the assignee may resolve this ticket.",
        "只有承办干部可以办结此诉求。",
    )
    with pytest.raises(NotAllowed) as refused:
        perform_action(w.owner, ticket, "transfer", department_id=w.hrss.id, note="转办", now=f.TUESDAY)
    api, _english, chinese = _both(refused.value)
    assert api == "Only the assignee, supervisor may transfer this ticket."  # the API's sentence as before
    assert chinese == "只有承办干部或督导人员可以转办此诉求。"


def test_an_action_the_status_does_not_allow_names_the_status_in_the_readers_words(w):
    ticket = w.ticket("closed")
    with pytest.raises(InvalidTransition) as refused:
        perform_action(w.liaison, ticket, "accept", now=f.TUESDAY)
    assert _both(refused.value) == (
        "Cannot accept a ticket that is closed.",
        "Cannot accept a ticket that is closed.",
        "诉求当前为“已销号”，不能签收。",
    )


def test_credit_code_errors_keep_their_english_sentence_and_read_in_chinese(w):
    good = make_credit_code("91411602MA45ABCDE")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(CreditCodeError) as raw:
        validate_credit_code(bad)
    with pytest.raises(ValidationFailed) as refused:
        create_enterprise(
            w.supervisor, {"name": "周口某某有限公司", "credit_code": bad, "jurisdiction_id": w.nr.jurisdiction_id}
        )
    api, _english, chinese = _both(refused.value)
    assert api == str(raw.value) == f"check character should be {good[-1]!r}, got {bad[-1]!r}"
    assert chinese == f"校验码应为 {good[-1]!r}，实际为 {bad[-1]!r}"
    assert refused.value.field == "credit_code"
    with pytest.raises(ValidationFailed) as short:
        create_enterprise(
            w.supervisor, {"name": "周口某某有限公司", "credit_code": "9141", "jurisdiction_id": w.nr.jurisdiction_id}
        )
    assert _both(short.value)[2] == "统一社会信用代码应为 18 位，实际为 4 位"


def test_a_duplicate_email_and_a_missing_link_read_in_chinese(w):
    with pytest.raises(Conflict) as duplicate:
        create_user(email=w.liaison.email, name="王芳", password="long enough 1", role="cadre", department_id=w.nr.id)
    assert _both(duplicate.value)[2] == f"邮箱为 {w.liaison.email} 的用户已存在。"
    with pytest.raises(ValidationFailed) as unlinked:
        create_user(email="new.cadre@example.cn", name="新干部", password="long enough 1", role="cadre")
    assert _both(unlinked.value) == (
        "A cadre user needs department_id.",
        "A cadre user needs department_id.",
        "助企干部账号必须关联部门。",
    )
    with pytest.raises(ValidationFailed) as role:
        create_user(email="new.cadre@example.cn", name="新干部", password="long enough 1", role="boss")
    assert _both(role.value)[2] == "角色须为企业用户、助企干部、督导人员或系统管理员之一。"


def test_a_template_follows_force_locale_and_returns_to_the_requests_language(app, db):
    """The request keeps its catalog for templates' and code's gettext alike: a message written in another
    reader's language inside the request (force_locale) is in that language, and the page after it is not."""
    from flask import render_template_string
    from flask_babel import gettext

    page = "{{ _('Red tickets') }}|{{ _('urged %(n)s×', n=2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        before = render_template_string(page)
        with force_locale("en"):
            english = (render_template_string(page), gettext("Red tickets"))
        after = (render_template_string(page), gettext("Red tickets"))
    assert before == "红色预警诉求|已督办 2 次"
    assert english == ("Red tickets|urged 2×", "Red tickets")
    assert after == (before, "红色预警诉求")
