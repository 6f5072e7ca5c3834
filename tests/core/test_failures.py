"""When something breaks: an unexpected error or an unreachable database gets a plain answer."""

from __future__ import annotations

import pytest

from courseware import create_app
from tests.conftest import POSTGRES_URL, free_port
from tests.core.web import new_client, page


def broken_app(database_url: str):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url})

    @app.route("/explode")
    def explode():
        raise RuntimeError("a bug somewhere deep inside")

    @app.route("/api/explode")
    def api_explode():
        raise RuntimeError("a bug somewhere deep inside")

    return app


@pytest.fixture
def app_with_a_bug(tmp_path):
    app = broken_app(f"sqlite:///{tmp_path / 'bug.sqlite3'}")
    yield app
    app.extensions["courseware.db"]["engine"].dispose()


@pytest.fixture
def app_without_its_database():
    app = broken_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")
    yield app
    app.extensions["courseware.db"]["engine"].dispose()


def test_an_unexpected_error_gets_a_500_page_in_plain_words_without_the_details(app_with_a_bug):
    response = new_client(app_with_a_bug).get("/explode")

    assert response.status_code == 500
    text = page(response).text
    assert "Something went wrong on our side and what you were doing was not saved." in text
    assert "a bug somewhere deep inside" not in text
    assert "Traceback" not in text


def test_an_unexpected_error_under_api_gets_a_json_500(app_with_a_bug):
    response = new_client(app_with_a_bug).get("/api/explode")

    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert "a bug somewhere" not in response.get_data(as_text=True)


def test_the_health_check_reports_an_unreachable_database_as_503(app_without_its_database):
    response = new_client(app_without_its_database).get("/healthz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["status"] == 503
    assert "The service cannot reach its database just now." in response.get_json()["error"]["message"]


def test_a_logged_in_person_also_gets_the_503_page_when_the_database_is_unreachable(app_without_its_database):
    """Finding out who is logged in needs the database too; the error page must not depend on it."""
    client = new_client(app_without_its_database)
    with client.session_transaction() as session:
        session["sid"] = "a-session-id"
        session["_user_id"] = "1"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "The service cannot reach its database just now." in page(response).text


def test_the_liveness_check_answers_ok_without_touching_the_database(app_without_its_database):
    """/livez says the process is alive even while the database is down (that is /healthz's job)."""
    response = new_client(app_without_its_database).get("/livez")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (set TEST_DATABASE_URL)")
def test_a_connection_cut_after_the_page_is_made_leaves_the_page_and_the_next_request_alone():
    """PostgreSQL going away between the page and the end of its (reading) transaction."""
    import psycopg
    from sqlalchemy import text

    from courseware.extensions import db

    app = broken_app(POSTGRES_URL)

    @app.route("/cut")
    def cut():
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (backend,))
        return "made"

    client = app.test_client()
    try:
        response = client.get("/cut")
        assert response.status_code == 200 and response.get_data(as_text=True) == "made"
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["courseware.db"]["engine"].dispose()
