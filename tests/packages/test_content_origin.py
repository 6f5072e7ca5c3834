"""Package content on an origin of its own (``COURSEWARE_CONTENT_ORIGIN``): the site's pages
frame the runtime from there with a ticket; the content host answers nothing else and reads no
cookie; a forged, altered or expired ticket gets a 404; the setting is checked at start-up."""

from __future__ import annotations

import html
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from courseware import create_app
from courseware.config import ConfigError
from courseware.learn.enrollment import enroll
from courseware.packages import content_origin as content
from courseware.packages.services import import_package
from tests.packages.scorm import scorm_zip

SITE = "http://courseware.test"
CONTENT = "http://content.test"


@pytest.fixture
def separate(app, monkeypatch):
    monkeypatch.setitem(app.config, "CONTENT_ORIGIN", CONTENT)


@pytest.fixture
def played(db, make_user, trainer, make_course):
    course = make_course(modules=[("basics", [])])
    result = import_package(course, scorm_zip("1.2"), "listening.zip", trainer, module=course.modules[0])
    learner = make_user(name="Lee Learner")
    enroll(learner, course)
    db.session.commit()
    return course, result.created[0], learner, result.package.id


def framed_runtime(client, course, lesson) -> str:
    page = client.get(f"/learn/{course.slug}/{lesson.slug}", base_url=SITE).get_data(as_text=True)
    match = re.search(r'<iframe class="package-player" src="([^"]+)"', page)
    assert match, "no package frame on the lesson page"
    return match.group(1).replace("&amp;", "&")


def test_the_lesson_frames_the_runtime_from_the_content_origin(client, login, played, separate):
    course, lesson, learner, package_id = played
    login(learner)
    address = framed_runtime(client, course, lesson)
    assert address.startswith(CONTENT + "/content/") and address.endswith("/runtime")
    lesson_page = client.get(f"/learn/{course.slug}/{lesson.slug}", base_url=SITE)
    assert f"frame-src 'self' {CONTENT}" in lesson_page.headers["Content-Security-Policy"]

    # The content host, with no cookie of the site's, plays the package from the ticket alone.
    stranger = client.application.test_client()
    runtime = stranger.get(address)
    assert runtime.status_code == 200
    body = runtime.get_data(as_text=True)
    assert "Lee Learner" in body and '"parentOrigin": "http://courseware.test"' in body
    assert "csrf" not in body and "Set-Cookie" not in runtime.headers
    assert f"frame-ancestors {SITE}" in runtime.headers["Content-Security-Policy"]
    assert "connect-src 'none'" in runtime.headers["Content-Security-Policy"]
    launch = re.search(r'"launch": "([^"]+)"', body).group(1)
    file = stranger.get(CONTENT + launch)
    assert file.status_code == 200 and b"LMSInitialize" in file.data
    assert f"frame-ancestors 'self' {SITE}" in file.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in file.headers


def test_the_content_host_answers_nothing_but_packages(client, login, played, separate):
    course, lesson, learner, package_id = played
    login(learner)
    for path in ("/login", "/api/v1/me/progress", "/learn", f"/learn/{course.slug}/{lesson.slug}/package"):
        assert client.get(CONTENT + path).status_code == 404, path
    assert client.get(CONTENT + "/static/css/site.css").status_code == 200
    # And once it is set, the site's own origin no longer plays or serves packages.
    assert client.get(f"/learn/{course.slug}/{lesson.slug}/package", base_url=SITE).status_code == 404
    assert client.get(f"/packages/{package_id}/files/intro/index.html", base_url=SITE).status_code == 404


def test_a_forged_altered_or_expired_ticket_gets_nothing(app, client, login, played, separate, monkeypatch):
    course, lesson, learner, package_id = played
    login(learner)
    address = framed_runtime(client, course, lesson)
    ticket = address.split("/content/", 1)[1].rsplit("/", 1)[0]
    stranger = app.test_client()
    assert stranger.get(f"{CONTENT}/content/{ticket[:-2]}xx/runtime").status_code == 404
    forged = URLSafeTimedSerializer("another secret", salt="courseware.package-content").dumps(
        {"u": learner.id, "l": lesson.id, "p": 1, "c": course.slug, "s": lesson.slug, "o": SITE}
    )
    assert stranger.get(f"{CONTENT}/content/{forged}/runtime").status_code == 404
    monkeypatch.setattr(content, "TICKET_SECONDS", -1)
    assert stranger.get(f"{CONTENT}/content/{ticket}/runtime").status_code == 404


def test_a_ticket_stops_working_when_the_learner_may_no_longer_play(db, app, client, login, played, separate):
    course, lesson, learner, package_id = played
    login(learner)
    address = framed_runtime(client, course, lesson)
    learner.is_active = False
    db.session.commit()
    assert app.test_client().get(address).status_code == 404


@pytest.mark.parametrize(
    ("origin", "problem"),
    [
        ("content.example.org", "is not an origin"),
        ("https://content.example.org/packages", "is not an origin"),
        ("https://learn.example.org", "the site's own address"),
    ],
)
def test_a_content_origin_that_cannot_work_stops_the_start(tmp_path, origin, problem):
    with pytest.raises(ConfigError, match=problem):
        create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
                "BASE_URL": "https://learn.example.org",
                "CONTENT_ORIGIN": origin,
            }
        )


def test_the_upload_page_says_what_a_package_can_reach(app, client, login, trainer, owned_course, monkeypatch):
    course = owned_course(modules=[("basics", [])])
    login(trainer)
    page = html.unescape(client.get(f"/author/courses/{course.id}/packages").get_data(as_text=True))
    assert "Packages play on this site's own address." in page and "COURSEWARE_CONTENT_ORIGIN" in page
    monkeypatch.setitem(app.config, "CONTENT_ORIGIN", CONTENT)
    page = client.get(f"/author/courses/{course.id}/packages", base_url=SITE).get_data(as_text=True)
    assert f"Packages play from their own address, {CONTENT}" in page
