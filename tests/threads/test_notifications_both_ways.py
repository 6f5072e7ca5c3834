"""Trainers hear of work handed in and see how much waits; opening a notification marks it read."""

from __future__ import annotations

from sqlalchemy import select

from courseware.models import Notification
from tests.conftest import csrf_token, post


def test_a_hand_in_notifies_the_trainer_the_review_menu_counts_it_and_opening_marks_it_read(
    client, db, login, make_user, trainer, practice_course, hand_in, tick_all
):
    learner = make_user(name="Lena Learner")
    submission = hand_in(learner, practice_course)
    tick_all(learner, practice_course)
    messages = db.session.scalars(select(Notification).where(Notification.user_id == trainer.id)).all()
    assert len(messages) == 2 and all(n.message.startswith("Lena Learner handed in") for n in messages)
    assert sorted("practice work" in n.message for n in messages) == [False, True]  # one of each

    login(trainer)
    header = client.get("/review/").get_data(as_text=True)
    assert '<span class="count">2<span class="visually-hidden"> waiting</span>' in header
    practice = next(n for n in messages if "practice work" in n.message)
    response = client.post(
        f"/notifications/{practice.id}/open", data={"csrf_token": csrf_token(client, "/notifications/")}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/submissions/{submission.id}")
    db.session.expire_all()
    assert db.session.get(Notification, practice.id).read_at is not None
    assert "Mark all as read" in client.get("/notifications/").get_data(as_text=True)
    post(client, "/notifications/read")
    db.session.expire_all()
    assert all(
        n.read_at is not None
        for n in db.session.scalars(select(Notification).where(Notification.user_id == trainer.id))
    )

    # A learner who reviews nothing sees no count, and is not told of their own hand-in.
    other = client.application.test_client()
    login(learner, target=other)
    assert "waiting</span>" not in other.get("/learn").get_data(as_text=True)
    assert not db.session.scalars(select(Notification).where(Notification.user_id == learner.id)).all()
