"""The pure parts of the similarity engine: normalisation, terms, weights, scores, lookup and grouping."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.common_issues import similarity
from helpdesk.common_issues.grouping import candidate_groups, similar_pairs
from helpdesk.common_issues.index import Doc, Postings
from helpdesk.common_issues.similarity import (
    OTHER_CATEGORY_FACTOR,
    category_factor,
    cosine,
    document_frequencies,
    normalise,
    probe_terms,
    score,
    terms,
    top_terms,
    weigh,
)
from tests.common_issues.evaluation import build_index, load_items

OUTAGE = (
    "开发区莲花变电站频繁停电",
    "我公司在经开区，由莲花变电站供电，近两个月停电七次，冷库货物损失严重，请协调供电公司检修线路。",
)
SUBSIDY = ("稳岗返还资金至今未到账", "我公司2023年度失业保险稳岗返还已审核通过并公示，人社局至今没有拨付，请督促兑现。")
ROAD = ("港兴路修了一半停工", "港区港兴路东段停工一年多，路面坑洼，下雨成泥塘，大货车进不来，请管委会协调复工。")


@pytest.fixture(scope="module")
def corpus():
    """Document frequencies of the evaluation set: a small city's worth of tickets."""
    items = load_items()
    tfs = [terms(item["title"], item["description"]) for item in items]
    return document_frequencies(tfs), len(items)


def vector(text: tuple[str, str], corpus) -> dict[str, float]:
    df, n = corpus
    return weigh(terms(*text), df, n)


def test_normalise_folds_full_width_case_and_punctuation():
    assert normalise("ＳＣ证，１０ｋＶ线路！！  跳闸（Ⅱ线）") == "sc 证 10kv 线路 跳闸 ii 线"


def test_normalise_of_nothing_is_empty():
    assert normalise("") == normalise("，。！？") == ""


def test_terms_are_characters_and_bigrams_that_do_not_cross_punctuation_or_function_characters():
    tf = terms("", "停电了，跳闸")
    assert {"停", "电", "停电", "跳", "闸", "跳闸"} <= tf.keys()
    assert "电了" not in tf and "了跳" not in tf and "了" not in tf


def test_short_numbers_are_terms_and_long_ones_are_noise():
    tf = terms("", "2023年 电话13803940000 10kV")
    assert "2023" in tf and "10kv" in tf
    assert not any(term.isdigit() and len(term) > 4 for term in tf)


def test_a_term_in_the_title_weighs_more_than_in_the_description():
    assert terms("停电", "")["停电"] == pytest.approx(similarity.TITLE_WEIGHT * terms("", "停电")["停电"])


def test_repeated_terms_are_dampened():
    once, thrice = terms("", "停电"), terms("", "停电，停电，停电")
    assert thrice["停电"] == pytest.approx(once["停电"] * (1 + math.log(3)))


def test_weigh_is_unit_length_and_favours_rare_terms(corpus):
    df, n = corpus
    vec = weigh(terms("", "企业莲花"), df, n)
    assert math.fsum(w * w for w in vec.values()) == pytest.approx(1.0)
    assert vec["莲花"] > vec["企业"]  # same count, 莲花 is rarer


def test_weigh_keeps_only_the_top_terms(corpus):
    df, n = corpus
    long_text = "".join(item["description"] for item in load_items()[:5])
    assert len(weigh(terms("", long_text), df, n)) == similarity.TOP_TERMS
    assert len(weigh(terms("", long_text), df, n, top=None)) > similarity.TOP_TERMS


def test_top_terms_is_heaviest_first_and_stable_on_ties():
    assert top_terms({"b": 1.0, "a": 1.0, "c": 2.0}, 2) == [("c", 2.0), ("a", 1.0)]


def test_identical_text_scores_one(corpus):
    v = vector(OUTAGE, corpus)
    assert score(v, dict(v), "utilities", "utilities") == pytest.approx(1.0)


def test_unrelated_texts_score_near_zero(corpus):
    assert score(vector(OUTAGE, corpus), vector(SUBSIDY, corpus), None, None) < 0.05
    assert score(vector(ROAD, corpus), vector(SUBSIDY, corpus), None, None) < 0.05


def test_the_same_problem_in_other_words_scores_well_above_an_unrelated_one(corpus):
    retold = ("经开区老是断电", "开发区这边最近老是突然断电，听说是莲花变电站那条线路负荷太重，冷库一停电货就坏了。")
    same, other = (
        score(vector(OUTAGE, corpus), vector(retold, corpus), None, None),
        score(vector(OUTAGE, corpus), vector(ROAD, corpus), None, None),
    )
    assert same > 0.3 and same > 2 * other


def test_category_factor_boosts_the_same_category_and_ignores_an_unknown_one():
    assert category_factor("utilities", "utilities") == 1.0
    assert category_factor("utilities", None) == category_factor(None, "tax") == 1.0
    assert category_factor("utilities", "tax") == OTHER_CATEGORY_FACTOR < 1.0


def test_identical_text_in_another_category_scores_the_category_factor(corpus):
    v = vector(OUTAGE, corpus)
    assert score(v, v, "utilities", "infrastructure") == pytest.approx(OTHER_CATEGORY_FACTOR)


def test_cosine_of_an_empty_vector_is_zero():
    assert cosine({}, {"a": 1.0}) == cosine({"a": 1.0}, {}) == 0.0


cjk_text = st.text(alphabet=st.sampled_from("停电变站莲花企业公司补贴资金税务退税道路排水，。 0123kV"), max_size=80)


@settings(max_examples=60, deadline=None)
@given(a=cjk_text, b=cjk_text, ca=st.sampled_from([None, "tax", "land"]), cb=st.sampled_from([None, "tax", "land"]))
def test_scores_stay_within_zero_and_one(a, b, ca, cb):
    df = document_frequencies([terms(a, ""), terms(b, "")])
    va, vb = weigh(terms(a, b), df, 2), weigh(terms(b, a), df, 2)
    assert 0.0 <= score(va, vb, ca, cb) <= 1.0


def test_probe_terms_leave_out_common_terms(corpus):
    df, n = corpus
    probes = dict(probe_terms(vector(OUTAGE, corpus), df, n))
    limit = max(similarity.PROBE_MAX_DF_SHARE * n, similarity.PROBE_MAX_DF_FLOOR)
    assert probes and all(df.get(term, 0) <= limit for term in probes)
    assert "莲花" in probes


def _docs(*rows):
    """Docs from (ticket_id, enterprise_id, category, (title, description)) with df from these rows."""
    tfs = [terms(*text) for *_, text in rows]
    df = document_frequencies(tfs)
    docs = [Doc(t, e, c, weigh(tf, df, len(rows)), text[0]) for (t, e, c, text), tf in zip(rows, tfs)]
    return docs, df


def test_lookup_ranks_by_score_leaves_out_the_query_itself_and_keeps_the_limit():
    index = build_index(load_items())
    query = index.docs[0]
    found = index.lookup(query.vector, query.category, limit=3, exclude=query.ticket_id)
    assert len(found) == 3 and query.ticket_id not in [doc.ticket_id for doc, _ in found]
    scores = [value for _, value in found]
    assert scores == sorted(scores, reverse=True) and all(0 < value <= 1 for value in scores)


def test_lookup_finds_the_identical_ticket_first_with_score_one():
    index = build_index(load_items())
    query = index.docs[42]
    doc, value = index.lookup(query.vector, query.category, limit=1)[0]
    assert doc.ticket_id == query.ticket_id and value == pytest.approx(1.0)


def test_lookup_min_score_drops_weak_matches():
    index = build_index(load_items())
    found = index.lookup(index.docs[0].vector, None, limit=20, min_score=0.25)
    assert found and all(value > 0.25 for _, value in found)


def test_lookup_on_an_empty_index_finds_nothing():
    assert Postings([], {}, 0).lookup({"停电": 1.0}) == []


RETOLD = [
    (
        "经开区莲花变电站频繁停电",
        "我公司在经开区，由莲花变电站供电，近两个月停电七次，冷库货物损失严重，请协调供电公司检修线路。",
    ),
    ("开发区老是断电", "开发区这边最近老是突然停电，莲花变电站那条线路负荷太重，冷库一停电货就坏了，请供电公司检修。"),
    (
        "莲花变电站供电不稳定经常停电",
        "我司在开发区，属莲花变电站供电，近期频繁停电，设备损坏，请协调供电公司彻底解决线路问题。",
    ),
]


def test_a_group_needs_enough_distinct_enterprises():
    rows = [(i, 7, "utilities", text) for i, text in enumerate(RETOLD)] + [(9, 8, "tax", SUBSIDY)]
    docs, df = _docs(*rows)
    assert candidate_groups(docs, min_enterprises=2, df=df, n_docs=len(docs)) == []  # one company, three times
    rows[2] = (2, 8, "utilities", RETOLD[2])
    docs, df = _docs(*rows)
    (group,) = candidate_groups(docs, min_enterprises=2, df=df, n_docs=len(docs))
    assert sorted(group.ticket_ids) == [0, 1, 2] and group.enterprise_count == 2
    assert candidate_groups(docs, min_enterprises=3, df=df, n_docs=len(docs)) == []


def test_a_group_is_labelled_with_its_most_central_title_and_category():
    rows = [(i, i, "utilities", text) for i, text in enumerate(RETOLD)] + [(3, 3, "infrastructure", ROAD)]
    docs, df = _docs(*rows)
    (group,) = candidate_groups(docs, df=df, n_docs=len(docs))
    assert group.category == "utilities" and group.enterprise_count == 3
    assert group.label in {title for title, _ in RETOLD}


def test_groups_come_largest_first_and_keep_different_problems_apart():
    items = load_items()
    index = build_index(items)
    groups = candidate_groups(index.docs, df=index.df, n_docs=index.n_docs)
    counts = [g.enterprise_count for g in groups]
    assert counts == sorted(counts, reverse=True)
    group_of = {item["id"]: item["group"] for item in items}
    biggest = {group_of[t] for t in groups[0].ticket_ids} - {None}
    assert len(biggest) == 1  # the largest group is one problem (plus, at most, hard negatives)


def test_pairs_through_the_index_are_the_pairs_of_all_pairs():
    """The inverted index finds (almost) every pair above the threshold that brute force finds."""
    index = build_index(load_items())
    docs, threshold = index.docs, 0.18
    brute = {
        (i, j)
        for i in range(len(docs))
        for j in range(i + 1, len(docs))
        if score(docs[i].vector, docs[j].vector, docs[i].category, docs[j].category) >= threshold
    }
    found = similar_pairs(docs, threshold, df=index.df, n_docs=index.n_docs)
    assert set(found) <= brute
    assert len(found) >= 0.98 * len(brute)
