"""The battle map as Chromium draws it on a phone: labels readable, apart, on their own division; a tap
on a label opens that division's link. No server needed: the SVG and the app's CSS are the page."""

from __future__ import annotations

import json
from pathlib import Path

import flask_bootstrap
import pytest

from helpdesk.config import ROOT
from helpdesk.reports.battle_map import MapArea, render_battle_map, short_name
from tests.browser.conftest import NO_BROWSER, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(NO_BROWSER is not None, reason=NO_BROWSER or "")]

BOOTSTRAP = Path(flask_bootstrap.__file__).parent / "static" / "bootstrap5" / "css" / "bootstrap.min.css"
SEED = [
    r for r in json.loads((ROOT / "seeds" / "jurisdictions.json").read_text(encoding="utf-8")) if r["level"] == "county"
]


def _page(browser, language: str, highlight: str | None):
    areas = []
    for row in SEED:
        name = row["name"] if language == "zh" else short_name(row["name_en"])
        red = "红 12" if language == "zh" else "Red 12"
        areas.append(MapArea(row["code"], name, "fill-red", [name, "100.0%", red], url=f"#j{row['code']}"))
    css = BOOTSTRAP.read_text(encoding="utf-8") + (ROOT / "helpdesk" / "static" / "helpdesk.css").read_text("utf-8")
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<style>{css}</style></head><body><div class="container"><div class="card"><div class="card-body p-2">'
        f"{render_battle_map(areas, highlight=highlight, caption='map')}</div></div></div></body></html>"
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(html)
    return context, page


@pytest.mark.parametrize("highlight", [None, "411603"], ids=["city", "county"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_on_a_phone_labels_are_readable_apart_and_on_their_own_division(browser, language, highlight):
    context, page = _page(browser, language, highlight)
    try:
        box = page.locator("svg.battle-map").bounding_box()
        assert 320 <= box["width"] <= 375 and box["height"] == pytest.approx(box["width"] * 0.991, rel=0.02)
        labels = page.evaluate(
            """() => [...document.querySelectorAll('svg.battle-map text')].map(t => {
                const r = t.getBoundingClientRect();
                const under = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                return {code: t.dataset.code, x: r.x, y: r.y, w: r.width, h: r.height,
                        px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
                        under: under && under.dataset.code};
            })"""
        )
        assert len(labels) == 10
        for label in labels:
            assert label["px"] >= 8.5, label  # 26 viewBox units at about 340 px wide
            assert label["under"] == label["code"], label  # the label's middle is its own division
            assert box["x"] <= label["x"] and label["x"] + label["w"] <= box["x"] + box["width"], label
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                apart = a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                apart = apart or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]
                assert apart, (a["code"], b["code"])
    finally:
        context.close()


def test_a_tap_on_a_label_follows_its_divisions_link(browser):
    context, page = _page(browser, "zh", None)
    try:
        label = page.locator('svg.battle-map text[data-code="411602"]').bounding_box()
        page.mouse.click(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)
        assert page.evaluate("location.hash") == "#j411602"
    finally:
        context.close()
