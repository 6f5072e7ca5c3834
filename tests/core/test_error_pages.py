"""Error pages in plain words, JSON errors under /api/, the health check and security headers."""

from __future__ import annotations

from courseware.extensions import limiter
from tests.conftest import post
from tests.core.web import page


def assert_plain_page(response, status: int, title: str, words: str):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    shown = page(response)
    assert f"<h1>{title}</h1>" in response.get_data(as_text=True)
    assert words in shown.text
    for jargon in ("Traceback", "werkzeug", "Exception"):
        assert jargon not in shown.text


def test_an_unknown_page_gets_a_404_in_plain_words(client):
    response = client.get("/no/such/page")

    assert_plain_page(response, 404, "Page not found", "There is no page at this address.")


def test_the_wrong_method_gets_a_405_that_names_the_allowed_one(client):
    response = client.get("/logout")

    assert_plain_page(response, 405, "Not allowed here", "This address does not accept that kind of request.")
    assert "POST" in response.headers["Allow"]
    assert "GET" not in response.headers["Allow"]


def test_errors_under_api_are_json(client):
    response = client.get("/api/no/such/thing")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 404
    assert error["title"] == "Page not found"
    assert error["message"]


def test_a_post_larger_than_the_limit_gets_a_413_in_plain_words(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)

    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 4096})

    assert_plain_page(response, 413, "Too large", "What you sent is larger than this site accepts.")


def test_too_many_login_attempts_get_a_429_in_plain_words(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        statuses = [post(client, "/login", {"email": "a@example.org", "password": "wrong one"}) for _ in range(4)]
    finally:
        limiter.reset()

    assert [response.status_code for response in statuses] == [422, 422, 422, 429]
    assert_plain_page(statuses[-1], 429, "Too many attempts", "Wait a minute, then try again.")
    assert int(statuses[-1].headers["Retry-After"]) > 0


def test_the_health_check_answers_ok_after_asking_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_pages_carry_the_security_headers(client):
    for response in (client.get("/login"), client.get("/no/such/page")):
        policy = response.headers["Content-Security-Policy"]
        directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only_and_same_site(app, client):
    client.get("/login")

    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config["SERVER_NAME"])
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_pages_for_a_logged_in_person_are_not_cached(client, make_user, login):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(make_user(roles=("admin",)))

    assert "no-store" in client.get("/admin/people").headers["Cache-Control"]


def test_pages_need_no_inline_script_or_style_which_the_policy_would_block(client, make_user, login):
    anonymous = [client.get(path) for path in ("/login", "/password/forgot", "/no/such/page")]
    login(make_user(roles=("admin",)))
    logged_in = [client.get(path) for path in ("/admin/people", "/admin/people/invite", "/admin/teams")]

    for response in anonymous + logged_in:
        shown = page(response)
        assert shown.inline_scripts == 0, response.request.path
        assert shown.inline_styles == 0, response.request.path


def test_the_layout_has_a_skip_link_to_the_main_landmark(client):
    response = client.get("/login")

    markup = response.get_data(as_text=True)
    assert 'href="#main"' in markup
    assert '<main id="main"' in markup
    assert '<html lang="en">' in markup
