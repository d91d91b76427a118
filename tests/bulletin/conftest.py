"""A small world for the bulletin: tickets of two months (October and November 2025) in two counties of
Zhoukou (川汇区 and 淮阳区), brought to their states through the real workflow, read on 2 December 2025.

October: 川汇区 completes both its tickets, 淮阳区 one of two → 川汇区 ranks first.
November: 淮阳区 completes both, 川汇区 one of two (the other turns red) → 淮阳区 first (↑1), 川汇区 second (↓1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from helpdesk.callbacks.services import record_callback
from helpdesk.tickets.services import perform_action
from tests import factories as f
from tests.api.conftest import bearer  # noqa: F401 - a fixture of these tests too
from tests.notifications.conftest import deliver, mail_to, smtp_sink, webhooks  # noqa: F401 - the sending's fixtures
from tests.pages.conftest import login  # noqa: F401 - a fixture of these tests too

OCTOBER, NOVEMBER = date(2025, 10, 1), date(2025, 11, 1)
AS_OF = datetime(2025, 12, 2, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
OCT_DAY = datetime(2025, 10, 14, 2, 0, tzinfo=UTC)  # Tuesdays, after National Day
NOV_DAY = datetime(2025, 11, 4, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Scene:
    def __init__(self):
        self.w = f.World()
        w = self.w
        self.city = f.jurisdiction("411600")
        self.chuanhui = f.jurisdiction("411602")
        self.huaiyang = f.jurisdiction("411603")
        self.tax_cadre = f.fast_cadre("411603", "tax", name="赵敏")
        self.huaiyang_company = f.enterprise("411603")
        self.huaiyang_owner = f.fast_enterprise_user(self.huaiyang_company)
        self.red = {}

        # October
        w.ticket("closed", now=OCT_DAY)
        w.ticket("closed", now=OCT_DAY + HOUR)
        self.huaiyang_ticket("closed", OCT_DAY)
        self.red["huaiyang"] = self.huaiyang_ticket("in_progress", OCT_DAY + HOUR)
        # November
        solved = w.ticket("resolved", now=NOV_DAY)
        perform_action(w.owner, solved, "confirm", rating="dissatisfied", now=NOV_DAY + HOUR)
        record_callback(w.supervisor, solved, reached=True, solved=True, now=NOV_DAY + 2 * HOUR)
        self.red["chuanhui"] = w.ticket("in_progress", now=NOV_DAY + HOUR)
        self.huaiyang_ticket("closed", NOV_DAY)
        self.huaiyang_ticket("resolved", NOV_DAY + HOUR)

    def huaiyang_ticket(self, status: str, now: datetime):
        ticket = f.file(self.huaiyang_owner, category="tax", now=now, title="出口退税迟迟未到账")
        cadre = ticket.assignee
        perform_action(cadre, ticket, "accept", now=now)
        if status == "in_progress":
            return ticket
        perform_action(cadre, ticket, "resolve", note="已退税", now=now + HOUR)
        if status == "closed":
            perform_action(self.huaiyang_owner, ticket, "confirm", rating="satisfied", now=now + 2 * HOUR)
        return ticket


@pytest.fixture()
def scene(db):
    from tests.pages.conftest import CHEAP_HASH

    f._FAST_HASH[:] = [CHEAP_HASH]
    return Scene()
