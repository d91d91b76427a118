"""The delivery worker sends the monthly 通报: on the first working day of the month, once, to the
jurisdiction's supervisors (an email with the bulletin attached, in each one's language, through a real
SMTP server) and to its groups (a link), after the job's transaction commits."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import docx
import openpyxl
import pytest
from sqlalchemy import select

from helpdesk.notifications.models import Notification, Robot
from helpdesk.worker.jobs import run_due_jobs
from tests import factories as f
from tests.bulletin.conftest import AS_OF
from tests.bulletin.test_bulletin import EN_TITLE, ZH_TITLE
from tests.notifications.conftest import outbox_rows

BEFORE = datetime(2025, 10, 5, 2, 0, tzinfo=UTC)  # National Day: October's first working day is the 9th
FIRST_DAY = datetime(2025, 12, 1, 1, 0, tzinfo=UTC)  # Monday 1 December 2025, 09:00 in Shanghai


@pytest.fixture()
def audience(scene, webhooks):
    """The world's supervisors of 周口市, 川汇区 and 淮阳区, two more of 周口市 (one reads English, one has
    switched email off); the city's supervisors' group robot and a department's robot (which does not hear
    of bulletins)."""
    people = {
        "zh": scene.w.city_supervisor,
        "en": f.fast_supervisor("411600", name="Li Wei", locale="en"),
        "quiet": f.fast_supervisor("411600", name="周静", email_notices=False),
        "county": scene.w.supervisor,
        "huaiyang": scene.w.other_supervisor,
    }
    city_group = Robot(kind="wecom", name="周口市督查群", webhook_url=webhooks.url("wecom"),
                       jurisdiction_id=scene.city.id)  # fmt: skip
    department_group = Robot(kind="wecom", name="自然资源局群", webhook_url=webhooks.url("wecom"),
                             department_id=scene.w.nr.id)  # fmt: skip
    f.db.session.add_all([city_group, department_group])
    f.db.session.flush()
    return people


def _job(now):
    return run_due_jobs("worker-a", now).get("monthly_bulletin")


def _bulletin_rows():
    return [row for row in outbox_rows() if row.payload.get("kind") == "bulletin"]


def test_nothing_goes_out_before_the_first_working_day(audience):
    assert _job(BEFORE) == "0 bulletins, 0 messages queued"
    assert _bulletin_rows() == []


def test_on_the_first_working_day_every_supervisor_gets_the_bulletin_once(app, audience, smtp_sink, mail_to, deliver):
    # 周口市 (three supervisors, one group), 川汇区 and 淮阳区 (one supervisor each, no group)
    assert _job(FIRST_DAY) == "3 bulletins, 5 messages queued"
    rows = _bulletin_rows()
    by_address = {row.address: row for row in rows}
    assert set(by_address) == {
        audience["zh"].email,
        audience["en"].email,
        audience["county"].email,
        audience["huaiyang"].email,
        "周口市督查群",
    }  # not the one who switched email off, not the department's group
    group = by_address["周口市督查群"]
    assert group.payload["body"].startswith(f"{ZH_TITLE}已印发，督查人员可在此下载：http")
    assert (
        f"/dashboard/bulletin?jurisdiction_id={audience['zh'].jurisdiction_id}&month=2025-11&format=docx"
        in (group.payload["body"])
    )
    notices = f.db.session.scalars(select(Notification).where(Notification.kind == "bulletin")).all()
    assert {n.user_id for n in notices} == {p.id for p in audience.values()}  # in-app for all five

    # a second turn of the worker, the next day: nothing again
    assert _job(FIRST_DAY + timedelta(days=1)) == "0 bulletins, 0 messages queued"
    assert len(_bulletin_rows()) == 5

    mail_to(smtp_sink.port)
    deliver(now=FIRST_DAY + timedelta(minutes=1))
    mails = {m["To"]: m for m in smtp_sink.messages if any(m.iter_attachments())}  # the scene's notices aside
    assert set(mails) == {audience[k].email for k in ("zh", "en", "county", "huaiyang")}
    chinese = mails[audience["zh"].email]
    assert chinese["Subject"] == ZH_TITLE
    files = {part.get_filename(): part.get_content() for part in chinese.iter_attachments()}
    city_code = "411600"
    document = docx.Document(io.BytesIO(files[f"bulletin-{city_code}-2025-11.docx"]))
    assert document.paragraphs[0].text == ZH_TITLE
    counties = document.tables[1]
    assert [[c.text for c in row.cells[:3]] for row in counties.rows[1:]] == [
        ["1", "↑1", "淮阳区"],
        ["2", "↓1", "川汇区"],
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(files[f"bulletin-{city_code}-2025-11.xlsx"]))
    assert ZH_TITLE in [cell.value for row in workbook.worksheets[0].iter_rows(max_row=3) for cell in row]

    english = mails[audience["en"].email]
    assert english["Subject"] == EN_TITLE
    [english_doc] = [p.get_content() for p in english.iter_attachments() if p.get_filename().endswith(".docx")]
    assert docx.Document(io.BytesIO(english_doc)).paragraphs[0].text == english["Subject"]

    county = mails[audience["county"].email]
    assert "川汇区" in county["Subject"]


def test_a_missed_first_day_is_caught_up_later_in_the_month(audience):
    assert _job(AS_OF + timedelta(days=3)) == "3 bulletins, 5 messages queued"


def test_the_email_carries_last_months_files(audience):
    _job(FIRST_DAY)
    [row] = [r for r in _bulletin_rows() if r.address == audience["zh"].email]
    assert [a["filename"] for a in row.payload["attachments"]] == [
        "bulletin-411600-2025-11.docx",
        "bulletin-411600-2025-11.xlsx",
    ]
