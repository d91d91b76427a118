"""Fixtures of the common-issue tests: the evaluation set's texts filed as real tickets by companies of two
counties (川汇区 411602 and 淮阳区 411603) through the real filing service, then indexed by the worker's job."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from helpdesk.common_issues.indexing import index_pending
from tests import factories as f
from tests.api.conftest import bearer  # noqa: F401 - a fixture of these tests too
from tests.common_issues.evaluation import load_items
from tests.pages.conftest import login  # noqa: F401 - a fixture of these tests too

COUNTIES = ("411602", "411603")


@dataclass
class Corpus:
    """The filed tickets by eval-set id, their companies, and each company's user."""

    tickets: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    companies: dict = field(default_factory=dict)
    owners: dict = field(default_factory=dict)

    def group(self, name: str) -> list:
        return [self.tickets[i] for i, item in self.items.items() if item["group"] == name]


def sample_items(limit_groups: int = 6) -> list[dict]:
    """The items of the first `limit_groups` groups, and the hard negatives near them."""
    items = load_items()
    names = []
    for item in items:
        if item["group"] and item["group"] not in names:
            names.append(item["group"])
    chosen = set(names[:limit_groups])
    return [item for item in items if item["group"] in chosen or item.get("near") in chosen]


@pytest.fixture()
def w(db):
    from tests.pages.conftest import CHEAP_HASH

    f._FAST_HASH[:] = [CHEAP_HASH]
    return f.World()


def file_corpus(items: list[dict], index: bool = True) -> Corpus:
    corpus = Corpus()
    for item in items:
        key = item["enterprise_id"]
        if key not in corpus.companies:
            county = COUNTIES[len(corpus.companies) % 2]
            corpus.companies[key] = f.enterprise(county)
            corpus.owners[key] = f.fast_enterprise_user(corpus.companies[key])
        ticket = f.file(
            corpus.owners[key],
            category=item["category"],
            title=item["title"][:200],
            description=item["description"],
            now=f.TUESDAY,
        )
        corpus.tickets[item["id"]] = ticket
        corpus.items[item["id"]] = item
    if index:
        index_pending(f.TUESDAY, batch=1000)
    return corpus


@pytest.fixture()
def corpus(w):
    return file_corpus(sample_items())
