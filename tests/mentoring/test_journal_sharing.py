"""Journal entries shared "with my mentor" reach a mentor only when shared while that person was
the learner's mentor; the learner is told by name who reads each entry now, and is told when a
new mentor is paired with them."""

from __future__ import annotations

import datetime as dt

import pytest

from courseware.db import utcnow
from courseware.learn.journal import add_journal_entry
from courseware.models import JournalEntry, ManagerScope, Mentorship
from tests.conftest import post, post_confirmed
from tests.core.web import new_client, page


@pytest.fixture
def browser(app, login):
    def factory(person):
        opened = new_client(app)
        login(person, target=opened)
        return opened

    return factory


@pytest.fixture
def pairing(db, make_user, make_team, trainer):
    """A learner in a team, with Tess Trainer as mentor for a week, and a manager of the team."""
    team = make_team("Comms")
    learner = make_user(name="Lea Learner", team=team)
    manager = make_user(name="Meg Manager", roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    db.session.add(Mentorship(mentor_id=trainer.id, learner_id=learner.id, created_at=utcnow() - dt.timedelta(days=7)))
    db.session.commit()
    return learner, manager


def shared_entry(db, learner, body, *, days_ago: int, share_manager=False) -> JournalEntry:
    entry = add_journal_entry(learner, body, share_mentor=True, share_manager=share_manager, form_key="")
    entry.created_at = entry.updated_at = utcnow() - dt.timedelta(days=days_ago)
    db.session.commit()
    return entry


def test_a_newly_paired_mentor_does_not_read_entries_shared_before_the_pairing(
    db, make_user, make_team, trainer, pairing, browser
):
    learner, manager = pairing
    earlier = shared_entry(db, learner, "Shared last week with Tess.", days_ago=3)
    newcomer = make_user(name="Nico Newmentor", roles=("trainer",))
    response = post(browser(manager), "/mentoring/pairs", {"mentor": newcomer.id, "learners": learner.email})
    assert response.status_code == 302
    later = add_journal_entry(learner, "Shared after Nico came.", share_mentor=True, share_manager=False, form_key="")
    db.session.commit()

    tess_sees = page(browser(trainer).get(f"/mentoring/mentees/{learner.id}")).text
    assert "Shared last week with Tess." in tess_sees and "Shared after Nico came." in tess_sees
    nico_browser = browser(newcomer)
    nico_sees = page(nico_browser.get(f"/mentoring/mentees/{learner.id}")).text
    assert "Shared after Nico came." in nico_sees
    assert "Shared last week with Tess." not in nico_sees

    # The learner is told, on the pairing and on each entry, who reads it now.
    learner_browser = browser(learner)
    assert "Nico Newmentor is now your mentor" in page(learner_browser.get("/notifications/")).text
    journal = page(learner_browser.get("/journal")).text
    assert "Your mentors: Tess Trainer" in journal and "Nico Newmentor" in journal
    assert "Read now by Tess Trainer (your mentor)." in journal
    assert "Nico Newmentor became your mentor after you shared it and does not read it" in journal
    assert "Read now by Tess Trainer (your mentor) and Nico Newmentor (your mentor)." in journal

    # Sharing it again shows it to the new mentor too.
    assert post(learner_browser, f"/journal/{earlier.id}/sharing", {"share_mentor": "y"}).status_code == 302
    assert "Shared last week with Tess." in page(nico_browser.get(f"/mentoring/mentees/{learner.id}")).text
    assert later.id


def test_a_mentor_paired_again_reads_only_what_was_shared_since(db, trainer, pairing, browser, make_user):
    learner, manager = pairing
    shared_entry(db, learner, "Before the break.", days_ago=3)
    assert post_confirmed(browser(manager), f"/mentoring/pairs/{trainer.id}/{learner.id}/end").status_code == 302
    assert (
        post(browser(manager), "/mentoring/pairs", {"mentor": trainer.id, "learners": learner.email}).status_code == 302
    )
    assert "Before the break." not in page(browser(trainer).get(f"/mentoring/mentees/{learner.id}")).text


def test_the_learner_is_told_who_reads_each_entry_by_name(db, make_user, trainer, pairing, browser):
    learner, manager = pairing
    add_journal_entry(learner, "Private.", share_mentor=False, share_manager=False, form_key="a")
    add_journal_entry(learner, "For my manager.", share_mentor=False, share_manager=True, form_key="b")
    db.session.commit()
    journal = page(browser(learner).get("/journal")).text
    assert "Only you read this entry." in journal
    assert "Read now by Meg Manager (your manager) and by administrators." in journal
    assert "Your mentor: Tess Trainer" in journal and "Your manager: Meg Manager" in journal

    loner = make_user(name="Lone Learner")
    add_journal_entry(loner, "Nobody to share with.", share_mentor=True, share_manager=False, form_key="c")
    db.session.commit()
    journal = page(browser(loner).get("/journal")).text
    assert "You have no mentor now" in journal
    assert "Shared with your mentor, but you have no mentor now: only you read it." in journal
