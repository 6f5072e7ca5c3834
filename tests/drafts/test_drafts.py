"""Drafts: saved as people type (JSON) or with "Save draft", shown again, removed once the form is
sent, private to their author and bounded; and a form sent after the session ended comes back
to its author after they sign in, never sent on their behalf."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select, update

from courseware.drafts.keeping import COOKIE
from courseware.learn.enrollment import enroll
from courseware.learn.forms import MAX_TEXT
from courseware.models import Draft, JournalEntry, UnsentForm, UserSession
from tests.conftest import TEST_PASSWORD, csrf_token, post
from tests.core.web import new_client
from tests.learn.player import REFLECTION

REFLECTION_FORM = "reflection-1"


@pytest.fixture
def client(app):
    """A browser of its own: each request in a fresh context, as on a real server."""
    return new_client(app)


@pytest.fixture
def login(client):
    def do_login(user, target=None):
        target = target or client
        response = post(target, "/login", {"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302
        return response

    return do_login


def end_session_cookie(client, app):
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config["SERVER_NAME"])


def reflection_course(db, make_course, learner):
    course = make_course(modules=[("m", [("think", [REFLECTION])])])
    enroll(learner, course)
    db.session.commit()
    return course


def reflection_url(course) -> str:
    return f"/learn/{course.slug}/think/reflection/{REFLECTION_FORM}"


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no {name} textarea"
    return html.unescape(match.group(1)).removeprefix("\r\n").removeprefix("\n")


def entries(db) -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def test_a_draft_is_saved_read_back_shown_in_the_form_and_removed_when_sent(client, db, make_user, login):
    learner = make_user()
    login(learner)
    saved = post(client, "/drafts/journal", {"body": "Half a thought\r\nand a second line"})
    assert saved.status_code == 200 and saved.json["saved_at"] and saved.json["message"] == "Draft saved"
    read = client.get("/drafts/journal")
    assert read.status_code == 200 and read.json["fields"] == {"body": "Half a thought\nand a second line"}
    page = client.get("/journal").get_data(as_text=True)
    assert textarea(page, "body") == "Half a thought\nand a second line"
    assert "Draft saved just now; not sent yet." in page and 'aria-live="polite"' in page
    sent = post(client, "/journal", {"body": "Half a thought, finished."})
    assert sent.status_code == 302 and entries(db) == 1
    assert client.get("/drafts/journal").status_code == 404
    assert textarea(client.get("/journal").get_data(as_text=True), "body") == ""


def test_saving_empty_fields_removes_the_draft(client, db, make_user, login):
    login(make_user())
    post(client, "/drafts/journal", {"body": "Something"})
    cleared = post(client, "/drafts/journal", {"body": "  "})
    assert cleared.status_code == 200 and cleared.json["saved_at"] is None
    assert client.get("/drafts/journal").status_code == 404


def test_a_draft_can_be_sent_as_json(client, db, make_user, login):
    login(make_user())
    token = csrf_token(client, "/journal")
    saved = client.post("/drafts/journal", json={"fields": {"body": "From JSON"}}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    assert client.get("/drafts/journal").json["fields"] == {"body": "From JSON"}
    wrong = client.post("/drafts/journal", json={"body": "no fields"}, headers={"X-CSRFToken": token})
    assert wrong.status_code == 422 and "fields" in wrong.json["error"]["message"]


def test_save_draft_button_keeps_the_text_without_sending_it(client, db, make_user, make_course, login):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    response = post(client, reflection_url(course), {"body": "Not ready yet", "save_draft": "1", "form_key": "k1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/learn/{course.slug}/think#activity-{REFLECTION_FORM}")
    assert entries(db) == 0
    page = client.get(f"/learn/{course.slug}/think").get_data(as_text=True)
    assert textarea(page, "body") == "Not ready yet" and "Draft saved." in page
    assert post(client, reflection_url(course), {"body": "Ready now", "form_key": "k2"}).status_code == 302
    assert entries(db) == 1 and db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_draft_is_private_to_its_author(client, app, db, make_user, login):
    owner, other = make_user(), make_user()
    login(owner)
    post(client, "/drafts/journal", {"body": "Owner's private draft"})
    other_client = new_client(app)
    login(other, target=other_client)
    assert other_client.get("/drafts/journal").status_code == 404
    assert "Owner's private draft" not in other_client.get("/journal").get_data(as_text=True)
    post(other_client, "/drafts/journal", {"body": "Other's own"})
    assert client.get("/drafts/journal").json["fields"] == {"body": "Owner's private draft"}
    assert other_client.get("/drafts/journal").json["fields"] == {"body": "Other's own"}


def test_drafts_are_bounded_by_the_fields_own_limits(client, db, make_user, login):
    login(make_user())
    too_long = post(client, "/drafts/journal", {"body": "x" * (MAX_TEXT + 1)})
    assert too_long.status_code == 413
    assert "under 20,000 characters" in too_long.json["error"]["message"]
    assert client.get("/drafts/journal").status_code == 404
    assert post(client, "/drafts/journal", {"body": "x" * MAX_TEXT}).status_code == 200
    unknown = post(client, "/drafts/no-such-form", {"body": "x"})
    assert unknown.status_code == 404 and unknown.json["error"]["message"] == "No form of that name keeps drafts."


def test_signed_out_people_get_json_401_from_the_drafts_endpoint(client, db):
    response = post(client, "/drafts/journal", {"body": "x"})
    assert response.status_code == 401 and response.is_json
    assert client.get("/drafts/journal").status_code == 401


def kept_cookie(client):
    return client.get_cookie(COOKIE, domain="courseware.test")


def test_a_form_sent_after_the_session_cookie_is_gone_comes_back_after_signing_in(
    app, client, db, make_user, make_course, login
):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    token = csrf_token(client, f"/learn/{course.slug}/think")
    end_session_cookie(client, app)
    response = client.post(
        reflection_url(course), data={"csrf_token": token, "body": "Typed while away", "form_key": "k"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).path == "/login"
    assert unquote(urlsplit(location).query) == f"next=/learn/{course.slug}/think#activity-{REFLECTION_FORM}"
    assert kept_cookie(client) is not None and entries(db) == 0
    sign_in_page = client.get(location).get_data(as_text=True)
    assert "What you wrote is kept: sign in" in sign_in_page
    signed_in = client.post(
        location, data={"csrf_token": csrf_token(client, location), "email": learner.email, "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == f"/learn/{course.slug}/think#activity-{REFLECTION_FORM}"
    page = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert textarea(page, "body") == "Typed while away"
    assert "What you wrote before signing in is in the form again" in page
    assert kept_cookie(client) is None
    assert entries(db) == 0, "the kept text is only shown, never sent"
    assert db.session.scalar(select(func.count()).select_from(UnsentForm)) == 0


def test_a_form_sent_after_the_session_ended_on_the_server_comes_back_to_its_owner_alone(
    client, app, db, make_user, make_course, login
):
    learner, someone = make_user(), make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    token = csrf_token(client, f"/learn/{course.slug}/think")
    db.session.execute(update(UserSession).values(revoked_at=dt.datetime.now(dt.UTC)))
    db.session.commit()
    response = client.post(reflection_url(course), data={"csrf_token": token, "body": "My reflection", "form_key": "k"})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    kept = db.session.scalar(select(UnsentForm))
    assert kept.user_id == learner.id and kept.fields == {"body": "My reflection"}
    # Someone else signing in on this browser does not get it; it is gone unread.
    login(someone)
    page = client.get("/learn", follow_redirects=True).get_data(as_text=True)
    assert "My reflection" not in page and kept_cookie(client) is None
    assert db.session.scalar(select(func.count()).select_from(UnsentForm)) == 0
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_the_owner_of_the_ended_session_gets_the_text_back_wherever_they_land(
    client, db, make_user, make_course, login
):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    token = csrf_token(client, f"/learn/{course.slug}/think")
    db.session.execute(update(UserSession).values(revoked_at=dt.datetime.now(dt.UTC)))
    db.session.commit()
    client.post(reflection_url(course), data={"csrf_token": token, "body": "Back to me", "form_key": "k"})
    login(learner)  # signs in without the next address, as another sign-in route would
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"] == f"/learn/{course.slug}/think#activity-{REFLECTION_FORM}"
    page = client.get(home.headers["Location"]).get_data(as_text=True)
    assert textarea(page, "body") == "Back to me" and entries(db) == 0


def test_a_stale_csrf_token_in_a_live_session_keeps_the_text_as_a_draft(client, db, make_user, make_course, login):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    response = client.post(reflection_url(course), data={"csrf_token": "stale", "body": "Kept", "form_key": "k"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/learn/{course.slug}/think#activity-{REFLECTION_FORM}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert textarea(page, "body") == "Kept" and "This form had expired, so it was not sent" in page
    assert entries(db) == 0


def test_a_form_from_another_site_is_refused_as_before_and_nothing_is_kept(
    app, client, db, make_user, make_course, login
):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = client.post(
            reflection_url(course), data={"csrf_token": "forged", "body": "Planted"}, headers=headers
        )
        assert response.status_code == 400
    end_session_cookie(client, app)
    response = client.post(
        reflection_url(course),
        data={"csrf_token": "forged", "body": "Planted"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 400 and kept_cookie(client) is None
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert db.session.scalar(select(func.count()).select_from(UnsentForm)) == 0


def test_kept_forms_expire(app, client, db, make_user, make_course, login):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    token = csrf_token(client, f"/learn/{course.slug}/think")
    end_session_cookie(client, app)
    client.post(reflection_url(course), data={"csrf_token": token, "body": "Too late", "form_key": "k"})
    db.session.execute(update(UnsentForm).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    db.session.commit()
    login(learner)
    page = client.get(f"/learn/{course.slug}/think").get_data(as_text=True)
    assert "Too late" not in page and kept_cookie(client) is None


def test_when_nothing_more_can_be_kept_the_page_shows_the_text_to_copy(app, client, db, make_user, make_course, login):
    learner = make_user()
    course = reflection_course(db, make_course, learner)
    login(learner)
    token = csrf_token(client, f"/learn/{course.slug}/think")
    end_session_cookie(client, app)
    limit = app.config["UNSENT_KEPT_AT_MOST"]
    app.config["UNSENT_KEPT_AT_MOST"] = 0
    try:
        response = client.post(
            reflection_url(course), data={"csrf_token": token, "body": "Copy me <b>", "form_key": "k"}
        )
    finally:
        app.config["UNSENT_KEPT_AT_MOST"] = limit
    assert response.status_code == 401
    assert "Copy me &lt;b&gt;" in response.get_data(as_text=True)


def test_comments_keep_drafts_too(client, db, make_user, login):
    learner = make_user()
    login(learner)
    entry_form = post(client, "/journal", {"body": "Shared", "share_mentor": "y"})
    assert entry_form.status_code == 302
    entry = db.session.scalar(select(JournalEntry))
    path = f"/threads/journal/{entry.id}"
    assert post(client, path, {"body": "A comment half written", "save_draft": "1"}).status_code == 302
    assert textarea(client.get(path).get_data(as_text=True), "body") == "A comment half written"
    assert client.get(f"/drafts/comment/journal/{entry.id}").json["fields"]["body"] == "A comment half written"
    assert post(client, path, {"body": "A comment"}).status_code == 302
    assert client.get(f"/drafts/comment/journal/{entry.id}").status_code == 404


def test_the_oldest_drafts_give_way_beyond_the_limit_per_person(db, make_user, monkeypatch):
    from courseware.drafts import services

    person = make_user()
    monkeypatch.setattr(services, "DRAFTS_PER_PERSON", 2)
    for n in range(3):
        services.save_draft(person, f"comment/journal/{n + 1}", {"body": f"draft {n}"})
        db.session.execute(
            update(Draft)
            .where(Draft.form == f"comment/journal/{n + 1}")
            .values(saved_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n))
        )
    services.save_draft(person, "journal", {"body": "newest"})
    kept = set(db.session.scalars(select(Draft.form).where(Draft.user_id == person.id)))
    assert kept == {"comment/journal/3", "journal"}
