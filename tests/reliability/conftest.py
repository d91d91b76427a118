"""Reliability runs need the real PostgreSQL: they are skipped on SQLite."""

import pytest

from tests.reliability.harness import Server, postgres_url, prepare, scratch_database


@pytest.fixture()
def deployment():
    """(server, cast, database url): a fresh database and gunicorn with four workers."""
    base = postgres_url()
    if base is None:
        pytest.skip("reliability runs need PostgreSQL (set TEST_DATABASE_URL)")
    with scratch_database(base) as url:
        cast = prepare(url)
        server = Server(url, workers=4)
        try:
            yield server, cast, url
        finally:
            server.stop()
