"""Review guardrails: an approval with a criterion "not yet" says why; checklists are confirmed
or returned, in those words, on every page that shows them, the manager's person page included,
and that page leads to the conversation about each piece of work."""

from __future__ import annotations

from courseware.models import ManagerScope, Submission
from courseware.threads.policies import thread_item
from courseware.threads.services import add_comment
from tests.conftest import post
from tests.core.web import FormReader, page

NOT_YET = {"score-0": "met", "score-1": "not yet", "decision": "approved", "comment": ""}


def test_approving_with_a_criterion_not_yet_asks_for_a_comment_and_keeps_the_scores(
    client, db, login, make_user, trainer, practice_course, hand_in
):
    submission = hand_in(make_user(name="Ada Learner"), practice_course)
    login(trainer)
    refused = post(client, f"/review/submissions/{submission.id}", NOT_YET)
    assert refused.status_code == 422
    assert any("“Measurable” “not yet”" in error and "say why in a comment" in error for error in page(refused).errors)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "submitted"
    [form] = [f for f in FormReader(refused.get_data(as_text=True)).forms if "decision" in f["fields"]]
    assert form["fields"]["score-0"] == ["met"] and form["fields"]["score-1"] == ["not yet"]
    assert form["fields"]["decision"] == ["approved"]

    with_reason = {**NOT_YET, "comment": "Approved: the counts come with the next task."}
    assert post(client, f"/review/submissions/{submission.id}", with_reason).status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "approved"


def test_approving_with_no_criterion_not_yet_needs_no_comment(
    client, db, login, make_user, trainer, practice_course, hand_in
):
    first = hand_in(make_user(), practice_course)
    login(trainer)
    approve = {"score-0": "met", "score-1": "partly", "decision": "approved"}
    assert post(client, f"/review/submissions/{first.id}", approve).status_code == 302


def test_checklists_are_confirmed_or_returned_on_the_managers_person_page_with_links_to_conversations(
    app, client, db, login, make_user, make_team, trainer, practice_course, tick_all, hand_in
):
    team = make_team("North")
    manager = make_user(name="Mona Manager", roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    learner = make_user(name="Ada Learner", team=team)
    state = tick_all(learner, practice_course)
    submission = hand_in(learner, practice_course)
    db.session.commit()

    login(trainer)
    post(client, f"/review/checklists/{state.id}", {"decision": "return", "comment": "The alert is off."})
    add_comment(trainer, thread_item("checklist", state.id), "Turn the alert on, then tick again.")
    db.session.commit()

    manager_client = app.test_client()
    login(manager, target=manager_client)
    shown = page(manager_client.get(f"/manage/people/{learner.id}"))
    assert "Returned" in shown.text and "checklist returned" in shown.text
    assert "The alert is off." in shown.text
    for word in ("approved", "rejected", "sent back", "changes requested", "verified"):
        checklist_part = shown.text.split("Checklists a trainer confirms")[1].split("Objectives")[0]
        assert word not in checklist_part.lower()
    assert f"/threads/checklist/{state.id}" in shown.links
    assert f"/threads/submission/{submission.id}" in shown.links
    assert "Conversation (1 comment)" in shown.text and "Start a conversation" in shown.text
    assert manager_client.get(f"/threads/checklist/{state.id}").status_code == 200

    # Ticked again and confirmed: "confirmed" on the page and on the timeline.
    db.session.expire_all()
    tick_again = tick_all(learner, practice_course)
    assert (tick_again.id, tick_again.status) == (state.id, "awaiting_verification")
    confirmed = post(client, f"/review/checklists/{state.id}", {"decision": "confirm"})
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    shown = page(manager_client.get(f"/manage/people/{learner.id}"))
    assert "Confirmed" in shown.text and "checklist confirmed" in shown.text
    timeline = shown.text.split('id="timeline"')[1].split("Practice work and reviews")[0]
    assert "approved" not in timeline and "changes requested" not in timeline

    # The learner's own progress page uses the same words.
    learner_client = app.test_client()
    login(learner, target=learner_client)
    progress = page(learner_client.get("/progress")).text.split("What I did")[1]
    assert "checklist confirmed" in progress and "checklist returned" in progress
