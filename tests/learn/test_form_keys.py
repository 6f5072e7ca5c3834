"""A form sent again with the key it was shown with makes nothing new and gets the same answer;
a key that is not one the site makes is simply not used (the form still works)."""

from __future__ import annotations

from sqlalchemy import func, select

from courseware.learn.form_keys import clean_form_key
from courseware.models import JournalEntry, LearningEvent, Objective, ObjectiveRevision
from tests.conftest import post

OBJECTIVE = {"title": "Hear from partners", "horizon": "medium", "measure_kind": "qualitative", "measure": "They say"}


def test_a_revision_with_a_note_sent_twice_is_kept_once(client, db, make_user, login):
    login(make_user())
    post(client, "/objectives", {**OBJECTIVE, "form_key": "first"})
    objective = db.session.scalar(select(Objective))
    revised = {**OBJECTIVE, "status": "active", "note": "Asked them in person.", "form_key": "revise-1"}

    answers = [post(client, f"/objectives/{objective.id}", revised) for _ in range(2)]

    assert [a.status_code for a in answers] == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(ObjectiveRevision)) == 2
    assert "Objective revised." in client.get(answers[1].location).get_data(as_text=True)


def test_an_entry_sent_twice_is_one_entry_and_one_event(client, db, make_user, login):
    learner = make_user()
    login(learner)
    for _ in range(2):
        assert post(client, "/journal", {"body": "Tried a reply.", "form_key": "entry-1"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 1
    assert db.session.scalar(select(func.count()).where(LearningEvent.user_id == learner.id)) == 1


def test_a_malformed_form_key_is_not_used_and_the_entry_is_saved(client, db, make_user, login):
    login(make_user())
    for key in ("x" * 500, "bad\x00key", "ключ", " "):
        assert post(client, "/journal", {"body": f"Entry {len(key)}", "form_key": key}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 4
    assert clean_form_key("0f3a" * 8) == "0f3a" * 8
    assert clean_form_key("x" * 500) == "x" * 40
