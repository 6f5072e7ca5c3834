"""In-app notifications: the page, the unread count in the header, and marking them read."""

from __future__ import annotations

import re

from sqlalchemy import select

from courseware.models import Notification
from courseware.notifications.services import notify
from tests.conftest import post
from tests.core.web import page, path_of


def unread_in_header(response) -> int:
    match = re.search(r'class="count">(\d+)<', response.get_data(as_text=True))
    return int(match.group(1)) if match else 0


def test_a_person_sees_their_notifications_newest_first_with_the_unread_count(client, db, login, make_user):
    learner, other = make_user(), make_user()
    notify(learner, "review", "First news.", "/learn")
    notify(learner, "review", "Second news.", None)
    notify(other, "review", "Someone else's news.", None)
    db.session.commit()
    login(learner)

    response = client.get("/notifications/")
    text = page(response).text
    assert text.index("Second news.") < text.index("First news.")
    assert "Someone else's news." not in text
    assert unread_in_header(response) == 2


def test_marking_one_and_then_all_as_read_clears_the_count(client, db, login, make_user):
    learner = make_user()
    first = notify(learner, "review", "First news.", None)
    notify(learner, "review", "Second news.", None)
    db.session.commit()
    login(learner)

    response = post(client, f"/notifications/{first.id}/read")
    assert response.status_code == 302 and path_of(response.location) == "/notifications/"
    assert unread_in_header(client.get("/notifications/")) == 1

    assert post(client, "/notifications/read").status_code == 302
    assert unread_in_header(client.get("/notifications/")) == 0
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert unread == []
    assert "Nothing was unread." in page(post(client, "/notifications/read", follow_redirects=True)).text


def test_nobody_marks_someone_elses_notification_as_read(client, db, login, make_user):
    learner, other = make_user(), make_user()
    theirs = notify(other, "review", "Someone else's news.", None)
    db.session.commit()
    login(learner)

    assert post(client, f"/notifications/{theirs.id}/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None
