"""What the lesson page shows: where the lesson sits in the course, and a panel per activity
with the learner's earlier work on it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session

from courseware.content import translations
from courseware.drafts.keeping import fill_draft
from courseware.evidence.services import evidence_of_checklist, evidence_of_submissions
from courseware.i18n import select_locale
from courseware.learn.activities import checklist_state, quiz_attempts, reflection_entry, submissions
from courseware.learn.course_map import CourseMap, LessonItem, ModuleItem
from courseware.learn.form_keys import new_form_key
from courseware.learn.forms import (
    PRACTICE_DRAFT,
    REFLECTION_DRAFT,
    ChecklistEvidenceForm,
    PracticeForm,
    ReflectionForm,
)
from courseware.models import Lesson, LessonRevision, User


@dataclass(frozen=True, slots=True)
class LessonPage:
    revision: LessonRevision
    item: LessonItem
    module: ModuleItem
    previous: LessonItem | None
    following: LessonItem | None
    panels: list[dict]


def resubmission_form(history: list) -> PracticeForm:
    """The hand-in form, starting from the previous hand-in (its answer and links) when there is one."""
    if not history:
        return PracticeForm(formdata=None)
    latest = history[0]
    links = latest.links or ([latest.link] if latest.link else [])
    return PracticeForm(formdata=None, data={"text": latest.text, "links": "\n".join(links)})


_UNANSWERED = "quiz_unanswered"


def keep_unanswered_quiz(lesson: Lesson, key: str, answers: dict[int, set[int]], missing: list[int]) -> None:
    """Keep a quiz sent with questions unanswered for the lesson page the learner goes back to,
    so that the page keeps the lesson's address and the picks made so far."""
    session[_UNANSWERED] = {
        "lesson": lesson.id,
        "key": key,
        "answers": {str(q): sorted(chosen) for q, chosen in answers.items()},
        "missing": list(missing),
    }


def unanswered_quiz(lesson: Lesson) -> dict:
    """The quiz kept by keep_unanswered_quiz for this lesson, by activity key (taken once)."""
    kept = session.pop(_UNANSWERED, None)
    if not isinstance(kept, dict) or kept.get("lesson") != lesson.id:
        return {}
    try:
        answers = {int(q): {int(c) for c in chosen} for q, chosen in kept["answers"].items()}
        missing = [int(q) for q in kept["missing"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}
    return {kept.get("key"): {"answers": answers, "missing": missing}}


def attempt_answers(attempt) -> dict[int, set[int]]:
    """The choices picked in a stored attempt, per question index."""
    return {int(question): set(chosen) for question, chosen in (attempt.answers or {}).items()}


def lesson_page(
    user: User,
    lesson: Lesson,
    cmap: CourseMap,
    *,
    attempt_id: int | None = None,
    forms: dict | None = None,
    quiz_unanswered: dict | None = None,
) -> LessonPage:
    """The lesson's place in ``cmap`` and one panel per activity, in the lesson's order.

    A quiz panel holds the learner's attempts, the attempt ``attempt_id`` as its result when it
    is one of them, the answers ticked so far (``values``: those sent back in ``quiz_unanswered``
    with the questions ``missing`` an answer, else those of the attempt shown); a checklist its saved
    ticks; practice the submissions, newest first; a reflection the journal entry answering it.
    ``forms`` are forms sent back with errors, shown instead of empty ones; a form shown afresh
    holds the learner's draft of it, when they have one (``draft``, under ``draft_name``).
    """
    forms = forms or {}
    # Shown in the page's language where the lesson is translated; answers are checked against the original.
    revision = translations.revision_in(cmap.course, lesson.id, lesson.published_revision, select_locale())
    item = cmap.find(lesson.slug)
    previous, following = cmap.neighbours(lesson.slug)
    module = next(m for m in cmap.modules if m.id == item.module_id)
    attempts = quiz_attempts(user, lesson)
    shown_attempt = next((a for a in attempts if a.id == attempt_id), None) if attempt_id else None
    panels = []
    for activity in revision.activities:
        key = activity["key"]
        panel = {"activity": activity, "key": key}
        if activity["type"] == "quiz":
            mine = [a for a in attempts if a.activity_key == key]
            result = shown_attempt if shown_attempt and shown_attempt.activity_key == key else None
            unanswered = (quiz_unanswered or {}).get(key)
            if unanswered:
                values, missing = unanswered["answers"], unanswered["missing"]
            else:
                values, missing = (attempt_answers(result) if result else {}), []
            panel.update(
                attempts=mine,
                passed=any(a.passed for a in mine),
                result=result,
                values=values,
                missing=missing,
                form_key=new_form_key(),
            )
        elif activity["type"] == "checklist":
            state = checklist_state(user, lesson, key)
            evidence_form = forms.get(key) or ChecklistEvidenceForm(
                formdata=None,
                data={"note": state.note, "links": "\n".join(state.links or [])} if state else None,
            )
            panel.update(
                state=state,
                ticked=set(state.ticked) if state else set(),
                form_key=new_form_key(),
                evidence=evidence_of_checklist(state),
                evidence_form=evidence_form,
            )
        elif activity["type"] == "practice":
            history = submissions(user, lesson, key)
            draft_name = PRACTICE_DRAFT.format(course_slug=cmap.course.slug, lesson_slug=lesson.slug, key=key)
            form = forms.get(key)
            draft = None
            if form is None:
                form = resubmission_form(history)
                draft = fill_draft(form, draft_name, user)
            panel.update(
                history=history,
                evidence=evidence_of_submissions([s.id for s in history]),
                form=form,
                draft=draft,
                draft_name=draft_name,
            )
        elif activity["type"] == "reflection":
            entry = reflection_entry(user, lesson, key)
            draft_name = REFLECTION_DRAFT.format(course_slug=cmap.course.slug, lesson_slug=lesson.slug, key=key)
            form = forms.get(key)
            draft = None
            if form is None:
                form = ReflectionForm(
                    formdata=None,
                    data={
                        "body": entry.body,
                        "share_mentor": entry.shared_with_mentor,
                        "share_manager": entry.shared_with_manager,
                    }
                    if entry
                    else None,
                )
                draft = fill_draft(form, draft_name, user)
            panel.update(entry=entry, form=form, draft=draft, draft_name=draft_name)
        elif activity["type"] == "package":
            from courseware.packages.cmi5 import lesson_panel
            from courseware.packages.content_origin import player_address
            from courseware.packages.services import runtime_state

            panel.update(
                state=runtime_state(user, lesson.id),
                player=player_address(user, cmap.course, lesson, activity),
                cmi5=lesson_panel(user, lesson, activity),
            )
        panels.append(panel)
    return LessonPage(revision, item, module, previous, following, panels)
