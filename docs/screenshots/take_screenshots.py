"""Screenshots of each role's main page from the demo world, for the README.

Build and serve a scratch demo database, then run this script (it files two issues as the demo
enterprise and lets the demo cadre accept one, so that the workbench is not empty):

    DATABASE_URL=sqlite:////tmp/pages_demo.db .venv/bin/flask --app wsgi db upgrade
    DATABASE_URL=sqlite:////tmp/pages_demo.db .venv/bin/flask --app wsgi seed --demo
    DATABASE_URL=sqlite:////tmp/pages_demo.db .venv/bin/flask --app wsgi run -p 5077 &
    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:5077
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(OUT.parent.parent))  # the repository, for the demo logins

from helpdesk.seeding.demo import DEMO_LOGINS, DEMO_PASSWORD  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--lang=zh-CN"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}


def session(browser, base: str, email: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form [type=submit]")  # not the language switch in the menu
    page.wait_for_load_state()  # the demo's people read Chinese (but the province supervisor)
    return context, page


def file_issue(page, base: str, category: str, title: str, description: str) -> str:
    page.goto(f"{base}/tickets/new")
    chip = page.get_attribute(f"input[name=category][value={category}]", "id")
    page.click(f"label[for={chip}]")  # the category is a chip: its label covers the radio
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", description)
    page.click("#file-form [type=submit]")
    page.wait_for_load_state()
    if page.locator("input[name=submit_anyway]").count():  # the company has a similar issue: a new one all the same
        page.check("input[name=submit_anyway]")
        page.click("#file-form [type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    return page.url


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        context, page = session(browser, base, DEMO_LOGINS["enterprise"], PHONE)
        first = file_issue(page, base, "land", "二期厂房用地指标迟迟未落实",
                           "二期项目用地指标已承诺三个月，至今没有落实，影响开工建设，请协调自然资源部门。")
        file_issue(page, base, "land", "不动产权证办理进度缓慢", "新购厂房的不动产权证申请已提交两个月，仍未办结。")
        context.close()

        context, page = session(browser, base, DEMO_LOGINS["cadre"], DESKTOP)
        page.goto(first)
        if page.locator("form[data-action='accept'] button").count():
            page.click("form[data-action='accept'] button")
            page.wait_for_load_state()
        context.close()

        shots = [
            ("enterprise-portal.png", DEMO_LOGINS["enterprise"], PHONE, "/", {"width": 375, "height": 1500}),
            ("cadre-workbench.png", DEMO_LOGINS["cadre"], DESKTOP, "/", None),
            ("supervisor-dashboard.png", DEMO_LOGINS["city_supervisor"], DESKTOP, "/", {"width": 1280, "height": 1550}),
            ("admin.png", DEMO_LOGINS["admin"], DESKTOP, "/", {"width": 1280, "height": 560}),
        ]
        for name, email, viewport, path, clip in shots:
            context, page = session(browser, base, email, viewport)
            page.goto(f"{base}{path}")
            if clip:
                page.set_viewport_size(clip)
            page.screenshot(path=str(OUT / name), full_page=False)
            context.close()
            print(f"{name}: {(OUT / name).stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5077")
