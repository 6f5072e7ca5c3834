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
