"""Browser tests: the app served by a live server thread, driven by Debian's Chromium through Playwright.

The live server uses its own file-based SQLite database (BROWSER_DATABASE_URL to choose another), seeded
with the reference data and a few people, and committed for real: a browser cannot join the rolled-back
transaction of the other tests. CSRF protection is on, as in production. Skipped cleanly when
/usr/bin/chromium (or the playwright package) is absent.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-pass-2024"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

NO_BROWSER = None if CHROMIUM.exists() else "/usr/bin/chromium is not installed"


@dataclass
class People:
    owner: str
    liaison: str
    supervisor: str
    admin: str
    company: str


def _seed(app) -> People:
    from helpdesk.auth.services import create_user
    from helpdesk.enterprises.models import Enterprise
    from helpdesk.extensions import db
    from helpdesk.seeding.reference import load_reference_data
    from tests import factories as f

    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data()
        nr = f.department("411602", "nr")
        liaison = create_user(
            email="wang.fang@browser.cn", name="王芳", password=PASSWORD, role="cadre", department_id=nr.id
        )
        company = Enterprise(
            name="周口宏达机械有限公司",
            credit_code=f.credit_code("411602"),
            jurisdiction_id=f.jurisdiction("411602").id,
            liaison_id=liaison.id,
            industry="机械",
        )
        db.session.add(company)
        db.session.flush()
        create_user(
            email="owner@browser.cn", name="李总", password=PASSWORD, role="enterprise", enterprise_id=company.id
        )
        create_user(
            email="chuanhui@browser.cn",
            name="川汇区督查员",
            password=PASSWORD,
            role="supervisor",
            jurisdiction_id=f.jurisdiction("411602").id,
        )
        create_user(email="admin@browser.cn", name="管理员", password=PASSWORD, role="admin")
        db.session.commit()
        people = People(
            "owner@browser.cn", "wang.fang@browser.cn", "chuanhui@browser.cn", "admin@browser.cn", company.name
        )
        db.session.remove()
    return people


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """(base URL, people) of the app served on 127.0.0.1 at a random port for the whole session."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from helpdesk import create_app

    folder = tmp_path_factory.mktemp("browser")
    url = os.environ.get("BROWSER_DATABASE_URL") or f"sqlite:///{folder / 'browser.db'}"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={},
        WTF_CSRF_ENABLED=True,
        UPLOAD_FOLDER=str(folder / "uploads"),
        NOTIFY_BY_EMAIL=False,
    )
    people = _seed(app)

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", people, app
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if NO_BROWSER:
        pytest.skip(NO_BROWSER)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One person in one browser context: logs in through the form, in a language, on a screen size."""

    def __init__(self, browser, base: str, email: str, locale: str, viewport: dict):
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale=locale.replace("_", "-"))
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.goto("/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("main form [type=submit]")  # not the language switch in the menu
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{email} could not log in"
        # The language switch is a form post with its CSRF token (hidden in the collapsed menu on a phone).
        token = self.page.get_attribute("form.language-switch input[name=csrf_token]", "value")
        switched = self.page.request.post(f"{self.base}/language/{locale}", form={"csrf_token": token})
        assert switched.ok, switched.status

    def goto(self, path: str):
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 500, (path, response and response.status)
        return response

    def close(self):
        self.context.close()


@pytest.fixture()
def session_for(browser, live_server):
    """session_for(email, locale, viewport) → a logged-in Session, closed after the test."""
    base, _people, _app = live_server
    opened: list[Session] = []

    def make(email: str, locale: str = "zh_CN", viewport: dict = DESKTOP) -> Session:
        session = Session(browser, base, email, locale, viewport)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()
