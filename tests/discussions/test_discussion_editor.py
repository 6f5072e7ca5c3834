"""The editor sets a lesson's discussion (open, closed, or as the course says) and the course's default."""

from __future__ import annotations

from courseware.content.format import dump_course_yaml, dump_lesson
from courseware.content.services import course_spec
from courseware.learn.enrollment import enroll
from tests.conftest import lesson_of, post
from tests.core.web import form_on


def test_the_editor_opens_and_closes_a_lesson_discussion_and_the_course_sets_the_default(
    client, app, db, login, make_user, trainer, owned_course
):
    course = owned_course(modules=[("one", [("first", []), ("second", [])])])
    learner = make_user(name="Lena Learner")
    enroll(learner, course)
    db.session.commit()
    lesson = lesson_of(db, course, "first")
    login(trainer)

    url = f"/author/lessons/{lesson.id}/edit"
    editor = client.get(url)
    assert "As the course says (closed)" in editor.get_data(as_text=True)
    fields = form_on(editor, url)
    assert fields["discussion"] == [""]
    fields.update(discussion=["on"], action=["publish"])
    assert client.post(url, data=fields).status_code == 302
    db.session.refresh(lesson)
    assert lesson.published_revision.discussion is True
    assert "discussion: true\n" in dump_lesson(course_spec(course).lessons[0])
    assert form_on(client.get(url), url)["discussion"] == ["on"]

    reader = app.test_client()
    login(learner, target=reader)
    assert 'id="discussion-title"' in reader.get(f"/learn/{course.slug}/first").get_data(as_text=True)
    assert reader.get(f"/discussions/{course.slug}/second").status_code == 404

    # The course opens a discussion under every lesson that does not say otherwise.
    settings = {"title": course.title, "summary": course.summary, "status": "published", "discussion": "y"}
    assert post(client, f"/author/courses/{course.id}", settings).status_code == 302
    db.session.refresh(course)
    assert course.discussion is True
    assert "discussion: true\n" in dump_course_yaml(course_spec(course))
    assert reader.get(f"/discussions/{course.slug}/second").status_code == 200

    fields = form_on(client.get(url), url)
    fields.update(discussion=["off"], action=["publish"])
    assert client.post(url, data=fields).status_code == 302
    assert reader.get(f"/discussions/{course.slug}/first").status_code == 404

    # A value the page never offers is read as "as the course says".
    fields = form_on(client.get(url), url)
    fields.update(discussion=["sometimes"], action=["publish"])
    assert client.post(url, data=fields).status_code == 302
    db.session.refresh(lesson)
    assert lesson.published_revision.discussion is None
