"""The battle map (作战图): Zhoukou's geometry is right, and the SVG shows, links and escapes what it is given."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import pytest

from helpdesk.config import ROOT
from helpdesk.reports.battle_map import (
    FONT,
    MIN_FONT,
    MapArea,
    place_label,
    rate_fill,
    render_battle_map,
    short_name,
    text_width,
    warning_fill,
)
from helpdesk.reports.map_geometry import GEOJSON, load_geometry

SVG = "{http://www.w3.org/2000/svg}"
CODES = {"411602", "411603", "411621", "411622", "411623", "411624", "411625", "411627", "411628", "411681"}
SEED = {r["code"]: r for r in json.loads((ROOT / "seeds" / "jurisdictions.json").read_text(encoding="utf-8"))}


def _features() -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]}


def _exteriors(feature: dict) -> list[list[list[float]]]:
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [polygon[0] for polygon in polygons]


def _centroid(feature: dict) -> tuple[float, float]:
    """The area centroid of the largest exterior ring, in degrees (lon, lat)."""
    return _ring_centroid(max(_exteriors(feature), key=lambda r: abs(_area(r))))


def _ring_centroid(ring) -> tuple[float, float]:
    cross = [(x0 * y1 - x1 * y0, x0 + x1, y0 + y1) for (x0, y0), (x1, y1) in zip(ring, ring[1:])]
    area = sum(c for c, _, _ in cross) / 2
    return sum(c * sx for c, sx, _ in cross) / (6 * area), sum(c * sy for c, _, sy in cross) / (6 * area)


def _area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _inside(ring, x: float, y: float) -> bool:
    """Ray casting, written here again so that the test does not trust the module's own."""
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _areas(**overrides) -> list[MapArea]:
    return [
        MapArea(
            code, SEED[code]["name"], "fill-green", [SEED[code]["name"], "99.5%", "红 0"], url=f"/dashboard?j={code}"
        )
        for code in sorted(CODES)
    ] + list(overrides.values())


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # well-formed XML, or this raises


# -- the geometry ---------------------------------------------------------------------------------


def test_the_geojson_holds_exactly_the_ten_divisions_by_their_current_codes_and_names():
    features = _features()
    assert set(features) == CODES
    assert {code: f["properties"]["name"] for code, f in features.items()} == {c: SEED[c]["name"] for c in CODES}
    huaiyang = features["411603"]["properties"]
    assert (huaiyang["name"], huaiyang["source_id"], huaiyang["source_name"]) == ("淮阳区", "411626", "淮阳县")


def test_every_polygon_lies_inside_zhoukous_bounding_box_and_is_closed():
    for code, feature in _features().items():
        for ring in _exteriors(feature):
            assert ring[0] == ring[-1], code
            assert len(ring) > 100, code  # a real outline, not a box
            for lon, lat in ring:
                assert 114.0 <= lon <= 115.7 and 33.0 <= lat <= 34.4, (code, lon, lat)


def test_the_divisions_add_up_to_zhoukous_area():
    # 11,959 km² officially; a square degree at 33.7° N is 111.2 × 92.5 km. A wrong decoding scale is far off.
    km2 = 111.2 * 111.2 * math.cos(math.radians(33.7))
    total = sum(abs(_area(ring)) for f in _features().values() for ring in _exteriors(f)) * km2
    assert 11_959 * 0.95 < total < 11_959 * 1.05
    areas = {code: abs(_area(_exteriors(f)[0])) for code, f in _features().items()}
    assert min(areas, key=areas.get) == "411602"  # 川汇区, the city proper, is the smallest
    assert max(areas, key=areas.get) == "411627"  # 太康县 the largest


@pytest.mark.parametrize(
    ("this", "direction", "that"),
    [
        ("411621", "north-west", "411623"),  # 扶沟 north-west of 商水
        ("411628", "east", "411627"),  # 鹿邑 east of 太康
        ("411681", "south", "411602"),  # 项城 south of 川汇
        ("411625", "east", "411603"),  # 郸城 east of 淮阳
        ("411627", "north", "411603"),  # 太康 north of 淮阳
        ("411622", "west", "411603"),  # 西华 west of 淮阳
        ("411624", "east", "411681"),  # 沈丘 east of 项城
    ],
)
def test_divisions_sit_where_they_are_on_the_ground_and_on_the_drawn_map(this, direction, that):
    features, divisions = _features(), load_geometry().divisions
    (lon_a, lat_a), (lon_b, lat_b) = _centroid(features[this]), _centroid(features[that])
    (x_a, y_a), (x_b, y_b) = (_ring_centroid(divisions[code].polygons[0][0]) for code in (this, that))
    if "north" in direction:
        assert lat_a > lat_b and y_a < y_b  # SVG's y grows downwards
    if "south" in direction:
        assert lat_a < lat_b and y_a > y_b
    if "east" in direction:
        assert lon_a > lon_b and x_a > x_b
    if "west" in direction:
        assert lon_a < lon_b and x_a < x_b


def test_the_projection_keeps_the_shape_of_the_city():
    geometry = load_geometry()
    lon_lat = [p for f in _features().values() for ring in _exteriors(f) for p in ring]
    lons, lats = [p[0] for p in lon_lat], [p[1] for p in lon_lat]
    # A degree of longitude is cos(latitude) of a degree of latitude: about 1.565° × 0.83 wide, 1.26° tall.
    expected = (max(lats) - min(lats)) / ((max(lons) - min(lons)) * math.cos(math.radians(33.7)))
    assert geometry.height / geometry.width == pytest.approx(expected, rel=0.02)
    xs = [x for d in geometry.divisions.values() for p in d.polygons for r in p for x, _ in r]
    ys = [y for d in geometry.divisions.values() for p in d.polygons for r in p for _, y in r]
    assert 0 < min(xs) < max(xs) < geometry.width and 0 < min(ys) < max(ys) < geometry.height


@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_label_sits_inside_its_own_division_and_fits_there(language):
    features, divisions = _features(), load_geometry().divisions
    for code, division in divisions.items():
        name = SEED[code]["name"] if language == "zh" else short_name(SEED[code]["name_en"])
        lines = [name, "100.0%", "红 12" if language == "zh" else "Red 12"]
        x, y, size = place_label(division, lines)
        assert MIN_FONT <= size <= FONT
        projected = max(division.polygons, key=lambda p: len(p[0]))[0]
        assert _inside(projected, x, y), code
        if code != "411602":  # 川汇区 is too small for a full-size label; every other one fits its box
            half_w = max(text_width(line, size) for line in lines) / 2
            half_h = size * 1.15 * len(lines) / 2
            for dx in (-half_w, 0, half_w):
                for dy in (-half_h, 0, half_h):
                    assert _inside(projected, x + dx, y + dy), (code, dx, dy)
    assert set(features) == set(divisions)


# -- the SVG --------------------------------------------------------------------------------------


def test_the_map_draws_ten_linked_divisions_with_their_fill_classes():
    fills = dict(zip(sorted(CODES), ["fill-red", "fill-orange", "fill-yellow", "fill-green", "fill-none"] * 2))
    areas = [MapArea(c, SEED[c]["name"], fills[c], [SEED[c]["name"]], url=f"/dashboard?j={c}") for c in CODES]
    svg = _parse(render_battle_map(areas, caption="周口市作战图"))
    assert svg.get("viewBox").startswith("0 0 1000 ") and svg.get("width") == "100%"
    assert (svg.get("role"), svg.get("aria-label")) == ("group", "周口市作战图")
    links = svg.findall(f".//{SVG}a")
    assert len(links) == 10
    for link in links:
        path = link.find(f"{SVG}path")
        code = path.get("data-code")
        assert link.get("href") == f"/dashboard?j={code}"
        assert path.get("class").split() == ["area", fills[code]]
        assert path.get("d").startswith("M") and len(path.get("d")) > 300
        assert link.find(f"{SVG}title").text == SEED[code]["name"]
    assert {p.get("data-code") for p in svg.iter(f"{SVG}path")} == CODES
    labels = {t.get("data-code"): [s.text for s in t] for t in svg.iter(f"{SVG}text")}
    assert labels == {c: [SEED[c]["name"]] for c in CODES}


def test_labels_and_titles_show_the_figures_given():
    area = MapArea("411623", "商水县", "fill-below", ["商水县", "88.0%", "红 3"], url="/d?j=411623")
    svg = _parse(render_battle_map([area]))
    text = next(t for t in svg.iter(f"{SVG}text") if t.get("data-code") == "411623")
    assert [s.text for s in text] == ["商水县", "88.0%", "红 3"]
    assert text[0].get("class") == "name"
    link = next(a for a in svg.iter(f"{SVG}a"))
    assert link.find(f"{SVG}title").text == "商水县 · 88.0% · 红 3"


def test_user_text_is_escaped_in_names_labels_titles_and_links():
    evil = MapArea(
        "411602",
        '<script>alert("x")</script>',
        "fill-red",
        ["<b>川汇</b>", "&amp;"],
        url='/dashboard?j=1" onmouseover="alert(1)&x=<y>',
    )
    markup = str(render_battle_map([evil], caption='"><script>'))
    assert "<script>" not in markup and "<b>" not in markup and 'onmouseover="' not in markup
    svg = _parse(markup)
    link = next(svg.iter(f"{SVG}a"))
    assert link.get("href") == '/dashboard?j=1" onmouseover="alert(1)&x=<y>'  # one attribute, intact
    assert link.find(f"{SVG}title").text.startswith('<script>alert("x")</script>')
    assert [s.text for s in next(svg.iter(f"{SVG}text"))] == ["<b>川汇</b>", "&amp;"]
    assert svg.get("aria-label") == '"><script>'


def test_a_county_scope_outlines_that_county_and_dims_the_others():
    svg = _parse(render_battle_map(_areas(), highlight="411603"))
    assert "has-highlight" in svg.get("class")
    paths = list(svg.iter(f"{SVG}path"))
    assert paths[-1].get("data-code") == "411603"  # drawn last: no neighbour covers its outline
    for path in paths:
        expected = "selected" if path.get("data-code") == "411603" else "dimmed"
        assert expected in path.get("class").split()
    texts = {t.get("data-code"): t.get("class").split() for t in svg.iter(f"{SVG}text")}
    assert texts["411603"] == ["label", "selected"] and texts["411602"] == ["label", "dimmed"]
    plain = _parse(render_battle_map(_areas()))
    assert not any({"selected", "dimmed"} & set(p.get("class").split()) for p in plain.iter(f"{SVG}path"))


def test_a_division_without_figures_is_drawn_blank_and_one_without_url_is_not_a_link():
    own = MapArea("411603", "淮阳区", "fill-red", ["淮阳区", "90.0%"], url=None)
    svg = _parse(render_battle_map([own], highlight="411603"))
    assert not list(svg.iter(f"{SVG}a"))
    paths = {p.get("data-code"): p.get("class").split() for p in svg.iter(f"{SVG}path")}
    assert len(paths) == 10 and paths["411621"] == ["area", "fill-none", "dimmed"]
    assert [t.get("data-code") for t in svg.iter(f"{SVG}text")] == ["411603"]
    assert len(list(svg.iter(f"{SVG}title"))) == 1


@pytest.mark.parametrize(
    ("areas", "highlight", "message"),
    [
        ([MapArea("410100", "郑州市")], None, "no division '410100'"),
        ([MapArea("411602", "川汇区", "fill-purple")], None, "unknown fill class"),
        ([MapArea("411602", "川汇区"), MapArea("411602", "川汇区")], None, "given twice"),
        ([], "411626", "no division '411626'"),  # the old code of 淮阳县 is not on the map
    ],
)
def test_wrong_input_is_refused(areas, highlight, message):
    with pytest.raises(ValueError, match=message):
        render_battle_map(areas, highlight=highlight)


def test_fill_classes_for_warnings_and_rates():
    assert [warning_fill(c) for c in ("red", "orange", "yellow", "green", None, "purple")] == [
        "fill-red",
        "fill-orange",
        "fill-yellow",
        "fill-green",
        "fill-none",
        "fill-none",
    ]
    assert rate_fill(None, 0.99) == "fill-none"
    assert rate_fill(0.99, 0.99) == rate_fill(1.0, 0.99) == "fill-meets"
    assert rate_fill(0.95, 0.99) == "fill-near" and rate_fill(0.93, 0.99) == "fill-below"
    # Figures.meets_target (exact, in Decimal) wins over a float comparison at the edge.
    assert rate_fill(0.9899999, 0.99, meets=True) == "fill-meets"
    assert rate_fill(0.99, 0.99, meets=False) == "fill-near"
    assert short_name("Chuanhui District") == "Chuanhui" and short_name("Xiangcheng City") == "Xiangcheng"
