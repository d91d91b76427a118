"""The login and logout pages: credentials, sessions, redirects, throttling, CSRF, cookies and headers."""

from __future__ import annotations

import re

import pytest

EN = {"Accept-Language": "en"}
PASSWORD = "correct horse"


def login(client, email, password, *, next_url=None, address="127.0.0.1"):
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(
        url, data={"email": email, "password": password}, headers=EN, environ_base={"REMOTE_ADDR": address}
    )


def field_block(html: str, name: str) -> str:
    """The form group (label, input, feedback) of one field."""
    for block in html.split('<div class="mb-3">')[1:]:
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no form field {name!r} on the page")


def feedback(html: str, name: str) -> list[str]:
    """The error messages shown beside one field."""
    return re.findall(r'<div class="invalid-feedback">(.*?)</div>', field_block(html, name), re.S)


def is_logged_in(client) -> bool:
    response = client.get("/", headers=EN)
    assert response.status_code in (200, 302)
    return response.status_code == 200


@pytest.fixture()
def user(make_user):
    return make_user(role="admin", email="wang.fang@example.cn", name="王芳", password=PASSWORD)


def test_login_page_shows_a_form(client):
    response = client.get("/login", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<form[^>]*method=\"post\"", html)
    assert 'name="email"' in html
    assert 'name="password"' in html and 'type="password"' in html


def test_home_page_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_right_password_logs_in_and_the_session_works(client, user):
    response = login(client, "wang.fang@example.cn", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/", headers=EN)
    assert home.status_code == 200
    assert "王芳" in home.get_data(as_text=True)


def test_email_is_matched_whatever_its_case(client, user):
    response = login(client, "  Wang.Fang@EXAMPLE.cn ", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_wrong_password_shows_an_error_beside_the_field(client, user):
    response = login(client, "wang.fang@example.cn", "not the password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    messages = feedback(html, "password")
    assert len(messages) == 1
    assert "email or password" in messages[0].lower()
    assert "is-invalid" in field_block(html, "password")
    assert not is_logged_in(client)


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, user):
    wrong_password = login(client, "wang.fang@example.cn", "not the password").get_data(as_text=True)
    unknown_email = login(client, "nobody@example.cn", "not the password")
    assert unknown_email.status_code == 200
    assert feedback(unknown_email.get_data(as_text=True), "password") == feedback(wrong_password, "password")
    assert feedback(unknown_email.get_data(as_text=True), "email") == feedback(wrong_password, "email")
    assert not is_logged_in(client)


def test_inactive_user_cannot_log_in(client, db, user):
    user.active = False
    db.session.flush()
    response = login(client, "wang.fang@example.cn", PASSWORD)
    assert response.status_code == 200
    assert feedback(response.get_data(as_text=True), "password")
    assert not is_logged_in(client)


def test_deactivated_user_loses_the_session_at_once(client, db, user):
    assert login(client, "wang.fang@example.cn", PASSWORD).status_code == 302
    assert is_logged_in(client)
    user.active = False
    db.session.flush()
    assert not is_logged_in(client)


def test_next_parameter_inside_the_site_is_followed(client, user):
    response = login(client, "wang.fang@example.cn", PASSWORD, next_url="/language/en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/language/en"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "%2F%2Fevil.example",
        "/\\evil.example",  # browsers read a backslash as a slash
        "/%5Cevil.example",
        "/%09/evil.example",  # browsers drop tabs and newlines from URLs
        "/%0A/evil.example",
    ],
)
def test_next_parameter_cannot_send_people_to_another_site(client, user, target):
    response = login(client, "wang.fang@example.cn", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_is_post_only_and_logs_out(client, user):
    login(client, "wang.fang@example.cn", PASSWORD)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)  # a link or an image tag cannot log anyone out
    response = client.post("/logout", headers=EN)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert not is_logged_in(client)


# ------------------------------------------------------------------ throttling


def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(client, user):
    for _ in range(5):
        assert login(client, "wang.fang@example.cn", "not the password").status_code == 200
    response = login(client, "wang.fang@example.cn", PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert int(response.headers["Retry-After"]) <= 60
    assert not is_logged_in(client)


def test_throttling_is_per_email_and_address(client, make_user, user):
    make_user(role="admin", email="li.ming@example.cn", password=PASSWORD)
    for _ in range(5):
        login(client, "wang.fang@example.cn", "not the password")
    assert login(client, "wang.fang@example.cn", PASSWORD).status_code == 429
    # Another person behind the same address is not locked out...
    assert login(client, "li.ming@example.cn", PASSWORD).status_code == 302
    client.post("/logout")
    # ...nor is the same person from another address.
    assert login(client, "wang.fang@example.cn", PASSWORD, address="10.1.2.3").status_code == 302


def test_unknown_emails_are_throttled_too(client, user):
    for _ in range(5):
        assert login(client, "nobody@example.cn", "guess").status_code == 200
    assert login(client, "nobody@example.cn", "guess").status_code == 429


def test_successful_logins_do_not_count_as_failures(client, user):
    for _ in range(4):
        assert login(client, "wang.fang@example.cn", "not the password").status_code == 200
    for _ in range(3):
        assert login(client, "wang.fang@example.cn", PASSWORD).status_code == 302
        client.post("/logout")
    # The fifth failure is still answered normally; only after it is the pair locked out.
    assert login(client, "wang.fang@example.cn", "not the password").status_code == 200
    assert login(client, "wang.fang@example.cn", PASSWORD).status_code == 429


# ------------------------------------------------------------------ CSRF, cookies, headers


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_post_without_csrf_token_is_refused(client, user, csrf_on):
    response = login(client, "wang.fang@example.cn", PASSWORD)
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_login_post_with_the_pages_csrf_token_works(client, user, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert token, "the login form carries a CSRF token"
    response = client.post(
        "/login", data={"email": "wang.fang@example.cn", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    assert is_logged_in(client)


def test_logout_without_csrf_token_is_refused(client, user, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "wang.fang@example.cn", "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert is_logged_in(client)


def test_session_cookie_is_httponly_and_samesite_lax(client, user):
    response = login(client, "wang.fang@example.cn", PASSWORD)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = [c for c in cookies if c.startswith("session=")]
    assert session_cookie, cookies
    flags = [part.strip().lower() for part in session_cookie[0].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_pages_carry_strict_security_headers(client):
    response = client.get("/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    script_src = directives.get("script-src") or directives["default-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers.get("X-Frame-Options", "").upper() in ("DENY", "SAMEORIGIN") or "frame-ancestors" in directives
    assert headers["Referrer-Policy"]


def test_login_page_has_no_inline_script(client):
    """script-src without 'unsafe-inline' would break inline scripts: there must be none."""
    html = client.get("/login").get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag
    assert not re.search(r"\son[a-z]+=\"", html)
