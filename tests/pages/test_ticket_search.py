"""The ticket list's search box matches text literally, the same way as the API's `q`."""

from tests.pages.conftest import text


def test_percent_and_underscore_are_not_wildcards(w, login):
    ticket = w.ticket()
    admin = login(w.admin)
    assert ticket.number in text(admin.get("/tickets", query_string={"q": ticket.title[:4]}))
    for q in ("%", "_", "%%"):
        assert ticket.number not in text(admin.get("/tickets", query_string={"q": q})), q
