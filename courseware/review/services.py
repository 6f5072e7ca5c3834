"""The review queue: practice work and checklists waiting for a trainer, and the decisions on them.

A decision is recorded three ways at once: a :class:`Review` row (or the checklist's
verification), the submission's status, and a ``reviewed`` event on the learner's log, which
the progress rules fold into the lesson's state (approved work completes the activity).
The learner is notified in the app, and by email when SMTP is configured.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from courseware.core.links import email_url, site_path
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.models import (
    ChecklistState,
    Course,
    Lesson,
    LessonRevision,
    Review,
    Submission,
    User,
    UserRole,
)
from courseware.notifications.services import notify
from courseware.progress import rules
from courseware.progress.services import record_event
from courseware.review.policies import (
    mentees_condition,
    review_rights,
    review_scope_condition,
    reviewed_courses_condition,
)

log = logging.getLogger(__name__)

# How each rubric criterion is scored; stored as the words, so that every page can show them.
SCORES = ("not yet", "partly", "met")
SCORE_VALUES = {"not yet": 0.0, "partly": 0.5, "met": 1.0}
# The scores as the review form offers them, and as a given score is shown.
SCORE_LABELS = {"not yet": _l("Not yet"), "partly": _l("Partly"), "met": _l("Met")}
SCORE_WORDS = {"not yet": _l("not yet"), "partly": _l("partly"), "met": _l("met")}
DECISIONS = ("approved", "changes_requested")
WORKLOAD_DAYS = 30


def waited(since: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long something has waited, in the largest whole unit: "3 days", "5 hours", "under an hour"."""
    seconds = int(((now or utcnow()) - since).total_seconds())
    if seconds >= 86400:
        return ngettext("%(num)d day", "%(num)d days", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", seconds // 3600)
    return _("under an hour")


# --- the queue ------------------------------------------------------------------------------


@dataclass
class QueueItem:
    kind: str  # "practice" or "checklist"
    id: int
    learner: User
    course: Course
    lesson: Lesson
    lesson_title: str
    activity_key: str
    since: dt.datetime

    @property
    def label(self) -> str:
        return _("Practice work") if self.kind == "practice" else _("Checklist to confirm")


def review_queue(reviewer: User, *, course_id: int | None = None, learner_id: int | None = None) -> list[QueueItem]:
    """Work waiting for ``reviewer``: submitted practice and checklists to confirm, oldest first.

    Only work in the reviewer's courses or from their mentees (anything, for an admin), never
    their own. Two queries.
    """
    practice = (
        select(Submission, User, Course, Lesson, LessonRevision.title)
        .join(User, User.id == Submission.user_id)
        .join(Course, Course.id == Submission.course_id)
        .join(Lesson, Lesson.id == Submission.lesson_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(
            Submission.status == "submitted", review_scope_condition(reviewer, Submission.user_id, Submission.course_id)
        )
    )
    checklists = (
        select(ChecklistState, User, Course, Lesson, LessonRevision.title)
        .join(User, User.id == ChecklistState.user_id)
        .join(Lesson, Lesson.id == ChecklistState.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(
            ChecklistState.status == "awaiting_verification",
            review_scope_condition(reviewer, ChecklistState.user_id, Lesson.course_id),
        )
    )
    if course_id is not None:
        practice = practice.where(Submission.course_id == course_id)
        checklists = checklists.where(Lesson.course_id == course_id)
    if learner_id is not None:
        practice = practice.where(Submission.user_id == learner_id)
        checklists = checklists.where(ChecklistState.user_id == learner_id)
    items = [
        QueueItem("practice", s.id, user, course, lesson, title or lesson.slug, s.activity_key, s.created_at)
        for s, user, course, lesson, title in db.session.execute(practice)
    ]
    items += [
        QueueItem("checklist", c.id, user, course, lesson, title or lesson.slug, c.activity_key, c.updated_at)
        for c, user, course, lesson, title in db.session.execute(checklists)
    ]
    items.sort(key=lambda item: (item.since, item.kind, item.id))
    return items


def waiting_count(reviewer: User) -> int:
    """How many items wait in the reviewer's queue (what the Review menu shows); two counts."""
    practice = (
        select(func.count())
        .select_from(Submission)
        .where(
            Submission.status == "submitted", review_scope_condition(reviewer, Submission.user_id, Submission.course_id)
        )
    )
    checklists = (
        select(func.count())
        .select_from(ChecklistState)
        .join(Lesson, Lesson.id == ChecklistState.lesson_id)
        .where(
            ChecklistState.status == "awaiting_verification",
            review_scope_condition(reviewer, ChecklistState.user_id, Lesson.course_id),
        )
    )
    return db.session.scalar(practice) + db.session.scalar(checklists)


def reviewers_of(learner_id: int, course_id: int) -> list[User]:
    """Everyone with a right to review this learner's work in this course now (admins, who
    review everything, only when nobody else does), never the learner."""
    rights = review_rights()
    ids = select(rights.c.reviewer_id).where(
        (rights.c.course_id == course_id) | (rights.c.learner_id == learner_id), rights.c.reviewer_id != learner_id
    )
    found = list(db.session.scalars(select(User).where(User.id.in_(ids), User.is_active.is_(True)).order_by(User.id)))
    if not found:
        found = list(
            db.session.scalars(
                select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == "admin", User.is_active.is_(True), User.id != learner_id)
                .order_by(User.id)
            )
        )
    return found


def notify_reviewers(learner: User, course_id: int, message: str, link_endpoint: str, **link_values) -> int:
    """Tell the people who may review the work that ``learner`` handed something in (``message``,
    a whole sentence, lazy text so that each reviewer reads it in their language); how many."""
    people = reviewers_of(learner.id, course_id)
    for person in people:
        body = _l("%(message)s\n\nReview it: %(link)s\n", message=message, link=email_url(link_endpoint, **link_values))
        notify(person, "handed-in", message, site_path(link_endpoint, **link_values), email_body=body)
    return len(people)


def queue_courses(reviewer: User) -> list[Course]:
    """The courses a reviewer may filter the queue by."""
    return list(db.session.scalars(select(Course).where(reviewed_courses_condition(reviewer)).order_by(Course.title)))


def mentees(mentor: User) -> list[User]:
    """The mentor's mentees, by name (the queue's mentee filter); none once they are not a trainer."""
    return list(db.session.scalars(select(User).where(mentees_condition(mentor)).order_by(User.name)))


# --- one submission ---------------------------------------------------------------------------


def activity_of(revision_id: int | None, lesson: Lesson, key: str) -> dict | None:
    """The activity as the learner saw it (the revision they answered), else as published now."""
    for candidate in (revision_id, lesson.published_revision_id):
        if candidate is None:
            continue
        revision = db.session.get(LessonRevision, candidate)
        for activity in revision.activities if revision else []:
            if activity["key"] == key:
                return activity
    return None


def submission_history(submission: Submission) -> list[Submission]:
    """Every hand-in of the same activity by the same learner, newest first, reviews loaded."""
    return list(
        db.session.scalars(
            select(Submission)
            .where(
                Submission.user_id == submission.user_id,
                Submission.lesson_id == submission.lesson_id,
                Submission.activity_key == submission.activity_key,
            )
            .order_by(Submission.id.desc())
        )
    )


def _lesson_link(lesson: Lesson, key: str, *, external: bool = False) -> str:
    course = db.session.get(Course, lesson.course_id)
    values = {"course_slug": course.slug, "lesson_slug": lesson.slug, "_anchor": f"activity-{key}"}
    return email_url("learn.lesson", **values) if external else site_path("learn.lesson", **values)


def _lesson_title(lesson: Lesson) -> str:
    revision = lesson.published_revision
    return revision.title if revision is not None else lesson.slug


def review_submission(
    reviewer: User, submission: Submission, *, scores: dict[str, str], comment: str, decision: str
) -> Review:
    """Approve practice work or ask for changes; the learner's progress and notifications follow.

    Refuses (:class:`Invalid`) a decision other than approve or request changes, a missing or
    unknown score, a request for changes without a comment, an approval without a comment while
    a criterion is "not yet", and work that is no longer waiting (someone else reviewed it a
    moment ago).
    """
    if decision not in DECISIONS:
        raise Invalid(_("Choose whether to approve the work or ask for changes."), field="decision")
    lesson = db.session.get(Lesson, submission.lesson_id)
    activity = activity_of(submission.revision_id, lesson, submission.activity_key) or {}
    criteria = [criterion["name"] for criterion in activity.get("rubric", [])]
    missing = [name for name in criteria if scores.get(name) not in SCORES]
    if missing:
        raise Invalid(_("Score every criterion: %(names)s.", names=", ".join(missing)), field="scores")
    comment = (comment or "").strip()
    if decision == "changes_requested" and not comment:
        raise Invalid(_("Say what to change, so that the learner knows what to do next."), field="comment")
    not_yet = [name for name in criteria if scores[name] == "not yet"]
    if decision == "approved" and not_yet and not comment:
        raise Invalid(
            _(
                "You scored %(names)s “not yet”: to approve anyway, "
                "say why in a comment, so that the learner knows what still to work on.",
                names=", ".join(f"“{name}”" for name in not_yet),
            ),
            field="comment",
        )
    # Only one decision per hand-in, even when two trainers press at the same moment.
    changed = db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == "submitted")
        .values(status=decision)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Invalid(_("This work has already been reviewed; reload the page to see the decision."))
    db.session.refresh(submission)
    kept = {name: scores[name] for name in criteria}
    review = Review(
        submission_id=submission.id,
        reviewer_id=reviewer.id,
        scores=kept,
        comment=comment,
        decision=decision,
        created_at=utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    learner = db.session.get(User, submission.user_id)
    approved = decision == "approved"
    record_event(
        learner,
        rules.REVIEWED,
        lesson=lesson,
        activity_key=submission.activity_key,
        revision_id=submission.revision_id,
        success=approved,
        score=statistics.fmean(SCORE_VALUES[v] for v in kept.values()) if kept else None,
        detail={
            "submission_id": submission.id,
            "review_id": review.id,
            "reviewer_id": reviewer.id,
            "decision": decision,
            "scores": kept,
        },
    )
    title = _lesson_title(lesson)
    if approved:
        message = _l("%(name)s approved your practice work on “%(title)s”.", name=reviewer.name, title=title)
    else:
        message = _l(
            "%(name)s asked for changes to your practice work on “%(title)s”.", name=reviewer.name, title=title
        )
    notify(
        learner,
        "review",
        message,
        _lesson_link(lesson, submission.activity_key),
        email_body=_email_body(learner, message, comment, _lesson_link(lesson, submission.activity_key, external=True)),
    )
    log.info("submission %s %s by user %s", submission.id, decision, reviewer.id)
    return review


def verify_checklist(reviewer: User, state: ChecklistState, *, confirm: bool, comment: str) -> ChecklistState:
    """Confirm a fully ticked checklist, or return it to the learner with a comment saying why."""
    comment = (comment or "").strip()
    if not confirm and not comment:
        raise Invalid(_("Say what to look at again, so that the learner knows what to do next."), field="comment")
    now = utcnow()
    changed = db.session.execute(
        update(ChecklistState)
        .where(ChecklistState.id == state.id, ChecklistState.status == "awaiting_verification")
        .values(
            status="verified" if confirm else "returned",
            verified_by_id=reviewer.id,
            verified_at=now,
            comment=comment or None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Invalid(_("This checklist is no longer waiting; reload the page to see what happened."))
    db.session.refresh(state)
    lesson = db.session.get(Lesson, state.lesson_id)
    learner = db.session.get(User, state.user_id)
    record_event(
        learner,
        rules.REVIEWED,
        lesson=lesson,
        activity_key=state.activity_key,
        revision_id=state.revision_id,
        success=confirm,
        detail={"checklist_state_id": state.id, "reviewer_id": reviewer.id, "confirmed": confirm, "comment": comment},
    )
    title = _lesson_title(lesson)
    if confirm:
        message = _l("%(name)s confirmed your checklist on “%(title)s”.", name=reviewer.name, title=title)
    else:
        message = _l("%(name)s returned your checklist on “%(title)s”.", name=reviewer.name, title=title)
    notify(
        learner,
        "checklist",
        message,
        _lesson_link(lesson, state.activity_key),
        email_body=_email_body(learner, message, comment, _lesson_link(lesson, state.activity_key, external=True)),
    )
    log.info("checklist state %s %s by user %s", state.id, "verified" if confirm else "returned", reviewer.id)
    return state


def _email_body(learner: User, message, comment: str, link: str):
    """The e-mail, as lazy text: put into words in the learner's language when it is sent."""
    if comment:
        return _l(
            "Hello %(name)s,\n\n%(message)s\n\nTheir comment:\n%(comment)s\n\nSee it on the lesson: %(link)s",
            name=learner.name,
            message=message,
            comment=comment,
            link=link,
        )
    return _l(
        "Hello %(name)s,\n\n%(message)s\n\nSee it on the lesson: %(link)s",
        name=learner.name,
        message=message,
        link=link,
    )


# --- workload -------------------------------------------------------------------------------


@dataclass
class Workload:
    reviewer: User
    open_reviews: int
    reviewed: int
    median_hours: float | None


def workload(now: dt.datetime | None = None, days: int = WORKLOAD_DAYS) -> tuple[list[Workload], float | None]:
    """Open reviews per reviewer and the median hours to a first review over the last ``days`` days.

    Open reviews: practice submissions waiting in each person's queue, by the rights they hold
    now (``review_rights``: their courses and mentees). Admins have no rights listed there, so
    they appear only with what they reviewed in the period. Time to first review: from hand-in
    to the first review of each submission first reviewed in the period, credited to whoever
    reviewed it. Three queries: the open work, the reviews (which also give the overall median)
    and the people named.
    """
    now = now or utcnow()
    since = now - dt.timedelta(days=days)
    rights = review_rights()
    open_rows = db.session.execute(
        select(rights.c.reviewer_id, Submission.id).outerjoin(
            Submission,
            ((Submission.course_id == rights.c.course_id) | (Submission.user_id == rights.c.learner_id))
            & (Submission.status == "submitted")
            & (Submission.user_id != rights.c.reviewer_id),
        )
    ).all()
    open_by: dict[int, set[int]] = {}
    for reviewer_id, submission_id in open_rows:
        bucket = open_by.setdefault(reviewer_id, set())
        if submission_id is not None:
            bucket.add(submission_id)

    first: dict[int, tuple[dt.datetime, int | None, dt.datetime]] = {}
    for submission_id, reviewer_id, reviewed_at, handed_in in db.session.execute(
        select(Review.submission_id, Review.reviewer_id, Review.created_at, Submission.created_at)
        .join(Submission, Submission.id == Review.submission_id)
        .where(Review.created_at >= since)
        .order_by(Review.created_at, Review.id)
    ):
        first.setdefault(submission_id, (reviewed_at, reviewer_id, handed_in))
    hours_by: dict[int, list[float]] = {}
    all_hours = []
    for reviewed_at, reviewer_id, handed_in in first.values():
        hours = (reviewed_at - handed_in).total_seconds() / 3600
        all_hours.append(hours)
        if reviewer_id is not None:
            hours_by.setdefault(reviewer_id, []).append(hours)

    people = {
        user.id: user for user in db.session.scalars(select(User).where(User.id.in_(set(open_by) | set(hours_by))))
    }
    rows = [
        Workload(
            reviewer=people[user_id],
            open_reviews=len(open_by.get(user_id, ())),
            reviewed=len(hours_by.get(user_id, ())),
            median_hours=statistics.median(hours_by[user_id]) if hours_by.get(user_id) else None,
        )
        for user_id in people
    ]
    rows.sort(key=lambda row: (-row.open_reviews, row.reviewer.name))
    return rows, (statistics.median(all_hours) if all_hours else None)
