"""A lesson's discussion: the course's learners post and reply under the lesson, mention each
other, edit and remove their own posts; the course's trainers hide posts, saying why."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from courseware.core.validators import has_untypable_characters
from courseware.discussions import services
from courseware.exceptions import Invalid
from courseware.learn.enrollment import enroll
from courseware.models import DiscussionPost, ManagerScope, Notification
from tests.conftest import csrf_token, lesson_of
from tests.evidence.test_evidence_xss import VECTORS, executable

LESSON_URL = "/learn/{slug}/first"
DISCUSSION_URL = "/discussions/{slug}/first"


@pytest.fixture
def course(db, owned_course):
    """A course owned by Tess Trainer whose lessons have a discussion."""
    course = owned_course(modules=[("basics", [("first", []), ("second", [])])])
    course.discussion = True
    db.session.commit()
    return course


@pytest.fixture
def learners(db, make_user, course):
    """Two learners enrolled in the course."""
    ana = make_user(email="ana.silva@example.org", name="Ana Silva")
    ben = make_user(email="Ben.Okafor@example.org", name="Ben Okafor")
    for person in (ana, ben):
        enroll(person, course)
    db.session.commit()
    return ana, ben


def send(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/account"), **data})


def messages_of(db, person) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == person.id)))


def only_post(db, **where) -> DiscussionPost:
    db.session.expire_all()
    return db.session.scalars(select(DiscussionPost).filter_by(**where).order_by(DiscussionPost.id.desc())).first()


def test_learners_post_and_reply_under_the_lesson(client, app, db, login, course, learners):
    ana, ben = learners
    login(ana)
    lesson_page = client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    assert 'id="discussion-title">Discussion</h2>' in lesson_page and "No posts yet." in lesson_page

    response = send(client, DISCUSSION_URL.format(slug=course.slug), body="How often should I **check** alerts?")
    post = only_post(db, author_id=ana.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/learn/{course.slug}/first#post-{post.id}")
    page = client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "How often should I <strong>check</strong> alerts?" in page and "Ana Silva" in page

    other = app.test_client()
    login(ben, target=other)
    assert send(other, f"/discussions/posts/{post.id}/replies", body="Twice a day works for me.").status_code == 302
    reply = only_post(db, author_id=ben.id)
    assert reply.parent_id == post.id
    assert "Ben Okafor replied to your post in the discussion of “Lesson first”." in messages_of(db, ana)
    page = other.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    assert page.index("How often should I") < page.index("Twice a day works for me.")

    # One level of replies: a reply to a reply is refused, and what was typed comes back.
    refused = send(other, f"/discussions/posts/{reply.id}/replies", body="And a third level?")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Reply to a post, not to a reply." in text and "And a third level?</textarea>" in text

    empty = send(client, DISCUSSION_URL.format(slug=course.slug), body="   ")
    assert empty.status_code == 422 and "Write something before posting." in empty.get_data(as_text=True)


def test_a_mention_notifies_the_person_named_when_they_can_read_the_discussion(
    client, db, login, make_user, course, learners, trainer
):
    ana, ben = learners
    outsider = make_user(email="carol@example.org", name="Carol Outside")  # not enrolled
    login(ana)
    page = client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "write @ and the part of their e-mail address before the @" in page

    body = "Thanks @ben.okafor and @carol. Trainer @person1, is this right? (mail me at x@ana.silva too)"
    assert send(client, DISCUSSION_URL.format(slug=course.slug), body=body).status_code == 302

    assert messages_of(db, ben) == ["Ana Silva mentioned you in the discussion of “Lesson first”."]
    assert messages_of(db, outsider) == []  # cannot read the discussion, so is not told of it
    assert trainer.email == "person1@example.org"
    assert messages_of(db, trainer) == ["Ana Silva mentioned you in the discussion of “Lesson first”."]
    assert messages_of(db, ana) == []  # "x@ana.silva" is not a mention, and nobody is told of themselves

    notification = db.session.scalar(select(Notification).where(Notification.user_id == ben.id))
    assert notification.link.startswith(f"/discussions/{course.slug}/first#post-")

    # Editing tells only the people mentioned for the first time.
    post = only_post(db, author_id=ana.id)
    services.edit_post(post, body + " Also @ana.silva and @BEN.OKAFOR.")
    db.session.commit()
    assert len(messages_of(db, ben)) == 1


def test_authors_edit_and_remove_their_own_posts_and_a_removed_marker_stays(
    client, app, db, login, course, learners, trainer
):
    ana, ben = learners
    login(ana)
    send(client, DISCUSSION_URL.format(slug=course.slug), body="Original words")
    post = only_post(db, author_id=ana.id)
    assert send(client, f"/discussions/posts/{post.id}/edit", body="Better words").status_code == 302
    page = client.get(DISCUSSION_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "Better words" in page and "(edited)" in page

    for person in (ben, trainer):
        other = app.test_client()
        login(person, target=other)
        assert other.get(f"/discussions/posts/{post.id}/edit").status_code == 404
        assert send(other, f"/discussions/posts/{post.id}/delete").status_code == 404

    assert send(client, f"/discussions/posts/{post.id}/delete").status_code == 302
    page = client.get(DISCUSSION_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "This post was removed." in page and "Better words" not in page
    assert client.get(f"/discussions/posts/{post.id}/edit").status_code == 404  # nothing left to change
    with pytest.raises(Invalid):
        services.add_post(ben, course, lesson_of(db, course, "first"), "A reply", parent=only_post(db, id=post.id))


def test_a_trainer_hides_a_post_and_its_author_sees_why_while_others_see_a_marker(
    client, app, db, login, course, learners, trainer
):
    ana, ben = learners
    login(ana)
    send(client, DISCUSSION_URL.format(slug=course.slug), body="Buy my course at spam.example")
    post = only_post(db, author_id=ana.id)

    learner = app.test_client()
    login(ben, target=learner)
    assert send(learner, f"/discussions/posts/{post.id}/hide", reason="Mine now").status_code == 404

    moderator = app.test_client()
    login(trainer, target=moderator)
    page = moderator.get(DISCUSSION_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "Hide the post" in page
    refused = send(moderator, f"/discussions/posts/{post.id}/hide", reason="  ")
    assert refused.status_code == 422 and "Say why the post is hidden" in refused.get_data(as_text=True)
    hidden = send(moderator, f"/discussions/posts/{post.id}/hide", reason="Advertising is not allowed here.")
    assert hidden.status_code == 302
    assert hidden.headers["Location"].endswith(f"/discussions/{course.slug}/first#post-{post.id}")

    mine = client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "Hidden by a trainer" in mine and "Advertising is not allowed here." in mine
    assert "Buy my course at spam.example" in mine
    assert any("Advertising is not allowed here." in message for message in messages_of(db, ana))

    theirs = learner.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    assert "This post was hidden by a trainer." in theirs
    assert "Buy my course" not in theirs and "Advertising is not allowed" not in theirs
    assert send(learner, f"/discussions/posts/{post.id}/replies", body="Hm").status_code == 422

    assert send(moderator, f"/discussions/posts/{post.id}/show").status_code == 302
    assert "Buy my course at spam.example" in learner.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)


def test_people_outside_the_course_and_closed_discussions_find_nothing(
    client, app, db, login, make_user, make_team, course, learners, trainer
):
    ana, _ = learners
    team = make_team("Ana's team")
    ana.team_id = team.id
    manager = make_user(name="Mo Manager", roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    stranger = make_user(name="Not Enrolled")
    db.session.commit()
    login(ana)
    send(client, DISCUSSION_URL.format(slug=course.slug), body="Hello")
    post = only_post(db, author_id=ana.id)

    for person in (stranger, manager):
        other = app.test_client()
        login(person, target=other)
        assert other.get(DISCUSSION_URL.format(slug=course.slug)).status_code == 404
        assert send(other, DISCUSSION_URL.format(slug=course.slug), body="Let me in").status_code == 404
        assert send(other, f"/discussions/posts/{post.id}/replies", body="Let me in").status_code == 404
    assert db.session.scalar(select(DiscussionPost).where(DiscussionPost.body == "Let me in")) is None

    course.discussion = False
    db.session.commit()
    assert client.get(DISCUSSION_URL.format(slug=course.slug)).status_code == 404
    assert 'id="discussion-title"' not in client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    moderator = app.test_client()
    login(trainer, target=moderator)
    assert moderator.get(DISCUSSION_URL.format(slug=course.slug)).status_code == 404


def test_hostile_markdown_in_posts_and_replies_never_runs_for_any_reader(
    client, app, db, login, course, learners, trainer
):
    ana, ben = learners
    login(ana)
    url = DISCUSSION_URL.format(slug=course.slug)
    # Vectors carrying control characters are refused outright (the form says so); the rest are stored.
    typable = [vector for vector in VECTORS if not has_untypable_characters(vector)]
    assert send(client, url, body=next(v for v in VECTORS if v not in typable)).status_code == 422
    for chunk in range(0, len(typable), 50):
        assert send(client, url, body="\n\n".join(typable[chunk : chunk + 50])).status_code == 302
    post = only_post(db, author_id=ana.id)
    assert send(client, f"/discussions/posts/{post.id}/replies", body=VECTORS[0]).status_code == 302
    assert send(client, f"/discussions/posts/{post.id}/hide", reason="x").status_code == 404

    moderator = app.test_client()
    login(trainer, target=moderator)
    assert send(moderator, f"/discussions/posts/{post.id}/hide", reason='<script>alert(1)</script>"').status_code == 302
    assert executable(client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)) == []
    assert executable(moderator.get(url).get_data(as_text=True)) == []
    other = app.test_client()
    login(ben, target=other)
    assert executable(other.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)) == []
    assert "<script>alert(1)</script>" not in client.get(url).get_data(as_text=True)


def test_the_lesson_page_with_a_discussion_keeps_every_element_id_unique(client, db, login, make_user, owned_course):
    reflection = {"key": "reflection-1", "type": "reflection", "prompt": "What did you notice?"}
    course = owned_course(modules=[("basics", [("first", [reflection])])])
    course.discussion = True
    learner = make_user(name="Lena Learner")
    enroll(learner, course)
    db.session.commit()
    login(learner)
    send(client, DISCUSSION_URL.format(slug=course.slug), body="A first post")
    post = only_post(db, author_id=learner.id)
    send(client, f"/discussions/posts/{post.id}/replies", body="A reply")

    page = client.get(LESSON_URL.format(slug=course.slug)).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert 'id="discussion-body"' in page and f'id="reply-{post.id}"' in page
    assert [name for name in set(ids) if ids.count(name) > 1] == []


def test_a_post_half_written_is_kept_as_a_draft_until_it_is_posted(client, db, login, course, learners):
    ana, _ = learners
    login(ana)
    lesson_url = LESSON_URL.format(slug=course.slug)
    saved = send(
        client, DISCUSSION_URL.format(slug=course.slug), body="Half a thought about **listening**", save_draft="1"
    )
    assert saved.status_code == 302 and saved.headers["Location"].startswith(lesson_url)
    assert only_post(db) is None  # kept, not posted
    page = client.get(lesson_url).get_data(as_text=True)
    assert "Half a thought about **listening**</textarea>" in page
    posted = send(client, DISCUSSION_URL.format(slug=course.slug), body="A whole thought about **listening**")
    assert posted.status_code == 302
    assert only_post(db).body == "A whole thought about **listening**"
    assert "Half a thought" not in client.get(lesson_url).get_data(as_text=True)
