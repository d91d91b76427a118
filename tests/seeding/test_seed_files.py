"""Integrity checks for the reference data under seeds/."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

CATEGORY_CODES = [
    "policy",
    "land",
    "utilities",
    "finance",
    "labor",
    "approval",
    "infrastructure",
    "technology",
    "market",
    "legal",
    "tax",
    "environment",
    "other",
]
COUNTY_CODES = {
    "411602": "川汇区",
    "411603": "淮阳区",
    "411621": "扶沟县",
    "411622": "西华县",
    "411623": "商水县",
    "411624": "沈丘县",
    "411625": "郸城县",
    "411627": "太康县",
    "411628": "鹿邑县",
    "411681": "项城市",
}
PROVINCE, CITY = "410000", "411600"
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
HAN = re.compile(r"[\u4e00-\u9fff]")


def load(name):
    path = SEEDS / name
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list), f"{name} must be a plain JSON list"
    assert data, f"{name} is empty"
    return data


@pytest.fixture(scope="module")
def jurisdictions():
    return load("jurisdictions.json")


@pytest.fixture(scope="module")
def departments():
    return load("departments.json")


@pytest.fixture(scope="module")
def categories():
    return load("categories.json")


@pytest.fixture(scope="module")
def rules():
    return load("routing_rules.json")


@pytest.mark.parametrize(
    "name",
    ["jurisdictions.json", "departments.json", "categories.json", "routing_rules.json"],
)
def test_files_are_utf8_pretty_printed_without_escapes(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    assert "\\u" not in text, "write with ensure_ascii=False"
    assert text.startswith("[\n  {"), "pretty-printed with 2-space indent"
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- jurisdictions


def test_jurisdiction_fields_and_unique_codes(jurisdictions):
    keys = {"code", "name", "name_en", "level", "parent_code", "ticket_prefix"}
    for j in jurisdictions:
        assert set(j) == keys, j
        assert re.fullmatch(r"\d{6}", j["code"]), j
        assert HAN.search(j["name"]) and j["name_en"].isascii(), j
        assert j["level"] in {"province", "city", "county"}, j
    codes = [j["code"] for j in jurisdictions]
    assert len(codes) == len(set(codes))


def test_jurisdiction_tree(jurisdictions):
    by_code = {j["code"]: j for j in jurisdictions}
    parent_level = {"city": "province", "county": "city"}
    roots = [j for j in jurisdictions if j["parent_code"] is None]
    assert [r["code"] for r in roots] == [PROVINCE]
    assert roots[0]["level"] == "province"
    for j in jurisdictions:
        if j["parent_code"] is None:
            continue
        assert j["parent_code"] in by_code, f"parent of {j['code']} missing"
        assert by_code[j["parent_code"]]["level"] == parent_level[j["level"]]
        # GB/T 2260: a child's code shares its parent's prefix.
        prefix = {"city": 2, "county": 4}[j["level"]]
        assert j["code"][:prefix] == j["parent_code"][:prefix]


def test_province_and_city(jurisdictions):
    by_code = {j["code"]: j for j in jurisdictions}
    assert by_code[PROVINCE]["name"] == "河南省"
    assert by_code[PROVINCE]["ticket_prefix"] == "HA"
    assert by_code[CITY]["name"] == "周口市"
    assert by_code[CITY]["level"] == "city"
    assert by_code[CITY]["parent_code"] == PROVINCE
    assert by_code[CITY]["ticket_prefix"] == "ZK"


def test_all_counties_present(jurisdictions):
    counties = {j["code"]: j for j in jurisdictions if j["level"] == "county"}
    assert set(counties) == set(COUNTY_CODES)
    for code, name in COUNTY_CODES.items():
        assert counties[code]["name"] == name
        assert counties[code]["parent_code"] == CITY
        assert counties[code]["ticket_prefix"] is None


def test_ticket_prefixes_unique(jurisdictions):
    prefixes = [j["ticket_prefix"] for j in jurisdictions if j["ticket_prefix"]]
    assert len(prefixes) == len(set(prefixes))
    assert all(re.fullmatch(r"[A-Z]{2,4}", p) for p in prefixes)


# ---------------------------------------------------------------- departments


def test_department_fields(departments, jurisdictions):
    keys = {"jurisdiction_code", "code", "name", "name_en", "short_name", "short_name_en", "is_default"}
    j_codes = {j["code"] for j in jurisdictions}
    for d in departments:
        assert set(d) == keys, d
        assert d["jurisdiction_code"] in j_codes, d
        assert SLUG.match(d["code"]), d
        assert HAN.search(d["name"]), d
        assert d["name_en"].isascii() and d["name_en"].strip() == d["name_en"], d
        assert isinstance(d["is_default"], bool), d
        assert HAN.search(d["short_name"]) and len(d["short_name"]) < len(d["name"]), d
        assert d["short_name_en"].isascii() and 0 < len(d["short_name_en"]) < len(d["name_en"]), d


def test_short_names_tell_a_jurisdictions_departments_apart(departments):
    """Charts name departments by short name (自然资源局 / Natural Resources) beside their jurisdiction."""
    for key in ("short_name", "short_name_en"):
        pairs = Counter((d["jurisdiction_code"], d[key]) for d in departments)
        assert [p for p, n in pairs.items() if n > 1] == [], key


def test_department_codes_unique_within_jurisdiction(departments):
    pairs = Counter((d["jurisdiction_code"], d["code"]) for d in departments)
    assert [p for p, n in pairs.items() if n > 1] == []
    names = Counter(d["name"] for d in departments)
    assert [n for n, c in names.items() if c > 1] == []


def test_exactly_one_default_per_jurisdiction(departments, jurisdictions):
    defaults = Counter(d["jurisdiction_code"] for d in departments if d["is_default"])
    for j in jurisdictions:
        assert defaults[j["code"]] == 1, f"{j['name']} needs exactly one default department"


def test_default_is_the_general_office(departments):
    for d in departments:
        if d["is_default"]:
            assert d["code"] == "office"
            assert "办公" in d["name"]


def test_every_jurisdiction_has_departments(departments, jurisdictions):
    counts = Counter(d["jurisdiction_code"] for d in departments)
    assert counts[PROVINCE] >= 8
    assert counts[CITY] >= 15
    for code in COUNTY_CODES:
        assert counts[code] >= 11, code


def test_county_department_names_carry_their_county(departments, jurisdictions):
    names = {j["code"]: j["name"] for j in jurisdictions}
    for d in departments:
        if d["jurisdiction_code"] in COUNTY_CODES:
            county = names[d["jurisdiction_code"]]
            assert county[:2] in d["name"], d


# ---------------------------------------------------------------- categories


def test_categories_in_product_order(categories):
    assert [c["code"] for c in categories] == CATEGORY_CODES


def test_category_fields(categories):
    keys = {
        "code",
        "name",
        "name_en",
        "help",
        "help_en",
        "response_days",
        "resolution_days",
    }
    for c in categories:
        assert set(c) == keys, c
        assert HAN.search(c["name"]) and HAN.search(c["help"]), c
        assert c["name_en"].isascii() and c["help_en"].isascii(), c
        assert c["response_days"] == 1
        # DOMAIN.md §1.3: real campaigns use 5 to 15 working days.
        assert 5 <= c["resolution_days"] <= 15, c
    days = {c["code"]: c["resolution_days"] for c in categories}
    assert days["utilities"] == 5 and days["tax"] == 5
    assert days["land"] == 15 and days["infrastructure"] == 15
    assert days["approval"] == 10
    assert days["policy"] == 7 and days["other"] == 7


# ---------------------------------------------------------------- routing rules


def test_rule_fields_and_references(rules, categories, jurisdictions, departments):
    cat_codes = {c["code"] for c in categories}
    j_codes = {j["code"] for j in jurisdictions}
    dept_keys = {(d["jurisdiction_code"], d["code"]) for d in departments}
    for r in rules:
        assert set(r) == {"category", "jurisdiction_code", "department_code"}, r
        assert r["category"] in cat_codes, r
        assert r["jurisdiction_code"] in j_codes, r
        assert (r["jurisdiction_code"], r["department_code"]) in dept_keys, r


def test_at_most_one_rule_per_category_and_jurisdiction(rules):
    keys = Counter((r["category"], r["jurisdiction_code"]) for r in rules)
    assert [k for k, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("jurisdiction", [CITY, PROVINCE])
def test_every_category_has_a_rule(rules, jurisdiction):
    covered = {r["category"] for r in rules if r["jurisdiction_code"] == jurisdiction}
    assert covered == set(CATEGORY_CODES)


def test_counties_have_rules_with_realistic_gaps(rules):
    for code in COUNTY_CODES:
        covered = {r["category"] for r in rules if r["jurisdiction_code"] == code}
        assert len(covered) >= 10, code
        # "other" is always left to the city (fallback up the tree).
        assert "other" not in covered
    # at least one county relies on the city for legal matters
    assert any(
        not any(r["category"] == "legal" and r["jurisdiction_code"] == code for r in rules) for code in COUNTY_CODES
    )


def test_fallback_resolves_every_category_everywhere(rules, jurisdictions):
    """Walking up the tree (PRODUCT.md §4) always finds a rule."""
    parent = {j["code"]: j["parent_code"] for j in jurisdictions}
    table = {(r["category"], r["jurisdiction_code"]): r["department_code"] for r in rules}
    for j in jurisdictions:
        for cat in CATEGORY_CODES:
            code = j["code"]
            while code is not None and (cat, code) not in table:
                code = parent[code]
            assert code is not None, (cat, j["code"])


def test_obvious_routes(rules):
    table = {(r["category"], r["jurisdiction_code"]): r["department_code"] for r in rules}
    assert table[("land", CITY)] == "nr"
    assert table[("utilities", CITY)] == "power"
    assert table[("tax", CITY)] == "tax"
    assert table[("labor", CITY)] == "hrss"
    assert table[("other", CITY)] == "office"
    for code in COUNTY_CODES:
        assert table[("land", code)] == "nr"
        assert table[("labor", code)] == "hrss"
