"""Certificates: a completed course gives one anyone holding its address can verify."""

from courseware.learn.enrollment import enroll
from tests.conftest import post


def test_course_completion_gives_a_public_certificate(client, db, make_user, make_course, login, app):
    learner = make_user(name="Lee Learner")
    course = make_course(modules=[("m", [("only", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    post(client, f"/learn/{course.slug}/only/read")
    response = client.get(f"/learn/{course.slug}/certificate")
    assert response.status_code == 302
    certificate_url = response.headers["Location"]
    anonymous = app.test_client()
    html = anonymous.get(certificate_url).get_data(as_text=True)
    assert "Lee Learner" in html and course.title in html
    assert anonymous.get("/certificates/not-a-code").status_code == 404


def test_a_certificate_gives_its_address_on_the_sites_public_address(
    client, db, make_user, make_course, login, app, monkeypatch
):
    """Printed, the certificate names the site's own address, whatever host the browser used."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://learn.example.org")
    learner = make_user(name="Lee Learner")
    course = make_course(modules=[("m", [("only", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    post(client, f"/learn/{course.slug}/only/read")
    certificate_url = client.get(f"/learn/{course.slug}/certificate").headers["Location"]

    html = app.test_client().get(certificate_url, headers={"Host": "evil.example"}).get_data(as_text=True)

    assert f"https://learn.example.org{certificate_url.split('courseware.test', 1)[-1]}" in html
    assert "evil.example" not in html
