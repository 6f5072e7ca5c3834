"""The review queue (``/review``): practice work and checklists waiting for a trainer."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.evidence.services import evidence_of_checklist, evidence_of_submissions
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import ChecklistState, Course, Lesson, Submission, User
from courseware.review import services
from courseware.review.forms import QueueFilterForm, ReviewForm, VerifyForm, read_scores
from courseware.review.policies import can_review_submission, can_verify_checklist, may_review_anything

bp = Blueprint("review", __name__)


@bp.app_template_global()
def waiting_reviews() -> int:
    """How many items wait in the queue of the person logged in (0 for those who review nothing)."""
    if not current_user.is_authenticated or not current_user.has_role("trainer", "admin"):
        return 0
    if "waiting_reviews" not in g:
        g.waiting_reviews = services.waiting_count(current_user)
    return g.waiting_reviews


def reviewer_required(view):
    """Trainers, admins and anyone given a course to review or a mentee; 403 for everyone else."""

    @wraps(view)
    @role_required()
    def wrapped(*args, **kwargs):
        if not may_review_anything(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/")
@reviewer_required
def queue():
    """Work waiting for the reviewer, oldest first, with how long each has waited."""
    form = QueueFilterForm(request.args)
    courses = services.queue_courses(current_user)
    mentees = services.mentees(current_user)
    form.course.choices = [(0, _("All courses"))] + [(c.id, c.title) for c in courses]
    form.mentee.choices = [(0, _("Everyone"))] + [(m.id, m.name) for m in mentees]
    course_id = form.course.data if form.course.data in {c.id for c in courses} else None
    mentee_id = form.mentee.data if form.mentee.data in {m.id for m in mentees} else None
    items = services.review_queue(current_user, course_id=course_id, learner_id=mentee_id)
    return render_template(
        "review/queue.html",
        form=form,
        items=items,
        filtered=bool(course_id or mentee_id),
        show_mentees=bool(mentees),
        waited=services.waited,
    )


def _submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None or not can_review_submission(current_user, submission):
        abort(404)
    return submission


@bp.route("/submissions/<id:submission_id>", methods=["GET", "POST"])
@reviewer_required
def submission(submission_id: int):
    """One hand-in: the prompt and rubric, the answer, earlier hand-ins and reviews; score and decide."""
    submission = _submission(submission_id)
    lesson = db.session.get(Lesson, submission.lesson_id)
    activity = services.activity_of(submission.revision_id, lesson, submission.activity_key) or {}
    criteria = activity.get("rubric", [])
    form = ReviewForm()
    score_errors: dict[int, str] = {}
    scores: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        scores, score_errors = read_scores(request.form, criteria)
        valid = form.validate_on_submit()
        if valid and not score_errors:
            try:
                services.review_submission(
                    current_user, submission, scores=scores, comment=form.comment.data, decision=form.decision.data
                )
            except Invalid as exc:
                db.session.rollback()
                if exc.field == "comment":
                    form.comment.errors = [exc.message]
                elif exc.field == "decision":
                    form.decision.errors = [exc.message]
                else:
                    flash(exc.message, "error")
                    return redirect(url_for("review.submission", submission_id=submission.id))
            else:
                db.session.commit()
                learner = db.session.get(User, submission.user_id)
                if form.decision.data == "approved":
                    done = _("%(name)s's work is approved; they have been notified.", name=learner.name)
                else:
                    done = _(
                        "%(name)s's work is returned with your comments; they have been notified.", name=learner.name
                    )
                flash(done, "success")
                return redirect(url_for("review.queue"))
        status = 422
    history = services.submission_history(submission)
    return render_template(
        "review/submission.html",
        submission=submission,
        learner=db.session.get(User, submission.user_id),
        course=db.session.get(Course, submission.course_id),
        lesson=lesson,
        activity=activity,
        criteria=criteria,
        history=history,
        evidence=evidence_of_submissions([s.id for s in history]),
        form=form,
        scores=scores,
        score_errors=score_errors,
        score_labels=services.SCORE_LABELS,
        score_words=services.SCORE_WORDS,
        waited=services.waited,
    ), status


def _checklist(state_id: int) -> ChecklistState:
    state = db.session.get(ChecklistState, state_id)
    if state is None or not can_verify_checklist(current_user, state):
        abort(404)
    return state


@bp.route("/checklists/<id:state_id>", methods=["GET", "POST"])
@reviewer_required
def checklist(state_id: int):
    """A fully ticked checklist that a trainer confirms, or returns with a comment."""
    state = _checklist(state_id)
    lesson = db.session.get(Lesson, state.lesson_id)
    activity = services.activity_of(state.revision_id, lesson, state.activity_key) or {"items": []}
    form = VerifyForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.verify_checklist(
                current_user, state, confirm=form.decision.data == "confirm", comment=form.comment.data
            )
        except Invalid as exc:
            db.session.rollback()
            if exc.field == "comment":
                form.comment.errors = [exc.message]
            else:
                flash(exc.message, "error")
                return redirect(url_for("review.checklist", state_id=state.id))
        else:
            db.session.commit()
            learner = db.session.get(User, state.user_id)
            if form.decision.data == "confirm":
                done = _("%(name)s's checklist is confirmed; they have been notified.", name=learner.name)
            else:
                done = _("%(name)s's checklist is returned; they have been notified.", name=learner.name)
            flash(done, "success")
            return redirect(url_for("review.queue"))
    if form.errors:
        status = 422
    return render_template(
        "review/checklist.html",
        state=state,
        learner=db.session.get(User, state.user_id),
        course=db.session.get(Course, lesson.course_id),
        lesson=lesson,
        activity=activity,
        evidence=evidence_of_checklist(state),
        form=form,
        waited=services.waited,
    ), status


@bp.route("/workload")
@role_required("trainer", "manager", "admin")
def workload():
    """Open reviews per reviewer and the median time to a first review over the last 30 days."""
    rows, overall = services.workload()
    return render_template("review/workload.html", rows=rows, overall=overall, days=services.WORKLOAD_DAYS)
