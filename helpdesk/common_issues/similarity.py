"""Text similarity of tickets: character n-gram TF-IDF, cosine, and a category factor.

Chinese has no spaces, so a ticket's text is cut into single characters and overlapping bigrams (no word
segmenter to install or keep current; a misspelt character breaks only the n-grams that hold it). Runs are
first split at punctuation and at function characters (的, 了, 我, 这 …) so that fewer n-grams straddle two
words. Runs of Latin letters and short numbers ("sc", "10kv", "2023") are whole terms. Counts are dampened
(1 + ln tf); a title's terms count TITLE_WEIGHT times a description's, a character UNIGRAM_WEIGHT times a
bigram (one problem told in different words still shares its characters: 停电 / 断电, 拖欠 / 欠款).

A ticket's vector is tf × idf with a smoothed idf = ln((1 + N) / (1 + df)) + 1, cut to its TOP_TERMS
heaviest terms and scaled to unit length: the cut vector is what the database stores, and scaling after
the cut keeps a ticket's score against itself at 1. The score of two tickets is their cosine (in [0, 1],
since every weight is positive) times OTHER_CATEGORY_FACTOR when both categories are known and differ:
companies file one problem under different categories often enough that a hard filter would lose real
groups, yet the category is a strong hint. Scores are comparable across queries because every vector has
unit length; no further calibration is applied. Every constant below was chosen by measuring on
tests/common_issues/eval_set.json (docs/SIMILARITY.md has the table; jieba words and trigrams did not help).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

TITLE_WEIGHT = 2.0
UNIGRAM_WEIGHT = 2.0
NGRAM_SIZES = (1, 2)
TOP_TERMS = 64  # per ticket, stored as postings
QUERY_TERMS = 64  # probe terms of a query, at most
OTHER_CATEGORY_FACTOR = 0.8
MAX_NUMBER_DIGITS = 4  # longer digit runs are phone, account or ticket numbers: noise
MAX_TERM_LENGTH = 16
CANDIDATES = 200  # found through the probe terms, then scored exactly
PROBE_MAX_DF_SHARE = 0.02
PROBE_MAX_DF_FLOOR = 50

# CJK unified ideographs (with extension A and the compatibility block) or runs of ASCII letters/digits.
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Function characters: they glue words together and carry no topic. N-grams do not cross them.
STOP_CHARACTERS = "的了和与及或我你他她它们这那也都就又被把让给从而但却吗呢吧啊呀"
_STOP = re.compile(f"[{STOP_CHARACTERS}]+")


def normalise(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation become half-width; Ⅱ becomes II), lower case,
    and every run of anything but CJK, letters and digits becomes one space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_TOKEN.findall(text))


def _features(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for token in _TOKEN.findall(normalise(text)):
        if _CJK.match(token):
            for run in _STOP.split(token):
                for size in NGRAM_SIZES:
                    counts.update(run[i : i + size] for i in range(len(run) - size + 1))
        elif not (token.isdigit() and len(token) > MAX_NUMBER_DIGITS):
            counts[token[:MAX_TERM_LENGTH]] += 1
    return counts


def terms(title: str, description: str) -> dict[str, float]:
    """The term-frequency part of a ticket's vector: dampened counts, the title's and characters' weighted up."""
    tf: dict[str, float] = {}
    for counts, factor in ((_features(title), TITLE_WEIGHT), (_features(description), 1.0)):
        for term, count in counts.items():
            unigram = UNIGRAM_WEIGHT if len(term) == 1 and _CJK.match(term) else 1.0
            tf[term] = tf.get(term, 0.0) + factor * unigram * (1.0 + math.log(count))
    return tf


def idf(df: int, n_docs: int) -> float:
    """Smoothed inverse document frequency: never zero, finite for unseen terms (df = 0)."""
    return math.log((1 + n_docs) / (1 + df)) + 1.0


def weigh(tf: Mapping[str, float], df: Mapping[str, int], n_docs: int, top: int | None = TOP_TERMS) -> dict[str, float]:
    """tf × idf, cut to the `top` heaviest terms (None: all) and scaled to unit length."""
    vec = {term: w * idf(df.get(term, 0), n_docs) for term, w in tf.items()}
    if top is not None:
        vec = dict(top_terms(vec, top))
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {term: w / norm for term, w in vec.items()} if norm else {}


def top_terms(vec: Mapping[str, float], n: int) -> list[tuple[str, float]]:
    """The n heaviest (term, weight) pairs, heaviest first; ties broken by term so the cut is stable."""
    return sorted(vec.items(), key=lambda item: (-item[1], item[0]))[:n]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two sparse vectors (need not be unit length); 0 when either is empty."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(term, 0.0) for term, w in a.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return min(1.0, dot / norm)


def probe_terms(
    vec: Mapping[str, float], df: Mapping[str, int], n_docs: int, n: int = QUERY_TERMS
) -> list[tuple[str, float]]:
    """The terms a lookup searches the postings for: the n heaviest bigrams and words that are not common.

    Characters and common terms (in more than PROBE_MAX_DF_SHARE of the tickets, and more than
    PROBE_MAX_DF_FLOOR) have the longest postings and alone rarely make two texts one problem: they still
    count in the exact score of the candidates the probe terms found, not in finding them.
    """
    limit = max(PROBE_MAX_DF_SHARE * n_docs, PROBE_MAX_DF_FLOOR)
    return [(t, w) for t, w in top_terms(vec, len(vec)) if df.get(t, 0) <= limit][:n]


def category_factor(a: str | None, b: str | None) -> float:
    """1 when the categories agree or either is unknown, OTHER_CATEGORY_FACTOR when they differ."""
    return OTHER_CATEGORY_FACTOR if a and b and a != b else 1.0


def score(a: Mapping[str, float], b: Mapping[str, float], category_a: str | None, category_b: str | None) -> float:
    """The similarity shown to users, in [0, 1]: cosine times the category factor."""
    return cosine(a, b) * category_factor(category_a, category_b)


def document_frequencies(vectors: Iterable[Mapping[str, float]]) -> Counter[str]:
    """df of each term over a corpus of tf vectors (what `term_stats` holds in the database)."""
    df: Counter[str] = Counter()
    for tf in vectors:
        df.update(tf.keys())
    return df
