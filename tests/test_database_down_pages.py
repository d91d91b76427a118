"""With the database unreachable, pages answer 503 with a page of their own (no 500, no trace)."""

from helpdesk import create_app


def test_pages_and_api_answer_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
        UPLOAD_FOLDER=str(tmp_path),
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"  # a logged-in visitor: loading the user needs the database
    page = client.get("/")
    assert page.status_code == 503
    assert "503" in page.get_data(as_text=True) and "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/v1/tickets", headers={"Authorization": "Bearer abc"})
    assert api.status_code == 503 and api.get_json()["code"] == 503
