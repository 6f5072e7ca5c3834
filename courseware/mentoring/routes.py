"""Mentoring (``/mentoring``): pairing mentors with learners, a mentor's view of their mentees,
and learners who become reviewers."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.confirm import ask_first
from courseware.core.validators import int_param
from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.manage.policies import person_in_scope, scope_of
from courseware.mentoring import services
from courseware.mentoring.forms import PairForm
from courseware.mentoring.policies import can_mentor_view, can_pair
from courseware.models import Course, Mentorship, User
from courseware.threads import services as thread_services
from courseware.threads.forms import NoteForm

bp = Blueprint("mentoring", __name__)

PAIRING_ROLES = ("manager", "admin")


@bp.route("/mentees")
@role_required("trainer")
def mentees():
    """The mentor's mentees with their progress and work waiting for review."""
    return render_template("mentoring/mentees.html", rows=services.mentee_overview(current_user))


@bp.route("/mentees/<id:user_id>")
@role_required("trainer")
def mentee(user_id: int, note_form=None, status: int = 200):
    """One mentee: progress per course, objectives with their check-ins, practice work and reviews,
    journal entries shared with mentors."""
    learner = db.session.get(User, user_id)
    if learner is None or not can_mentor_view(current_user, learner):
        abort(404)
    from courseware.learn import objectives
    from courseware.learn.course_map import my_courses

    own_and_team = objectives.objectives(learner) + objectives.team_objectives_of(learner)
    return render_template(
        "mentoring/mentee.html",
        learner=learner,
        cards=my_courses(learner),
        objectives=objectives.summaries(own_and_team, utcnow().date()),
        submissions=services.mentee_submissions(learner),
        journal=services.shared_journal(current_user, learner),
        notes=thread_services.mentor_notes(current_user, learner),
        note_form=note_form or NoteForm(formdata=None),
    ), status


@bp.route("/mentees/<id:user_id>/notes", methods=["POST"])
@role_required("trainer")
def add_note(user_id: int):
    """Keep a private note about a mentee, read by this mentor alone; 404 for anyone else's mentee."""
    learner = db.session.get(User, user_id)
    if learner is None or not can_mentor_view(current_user, learner):
        abort(404)
    form = NoteForm()
    if form.validate_on_submit():
        thread_services.add_mentor_note(current_user, learner, form.body.data)
        db.session.commit()
        flash(_("Your note is saved; only you see it."), "success")
        return redirect(url_for("mentoring.mentee", user_id=learner.id, _anchor="notes-title"))
    return mentee(user_id, note_form=form, status=422)


def _mentor_choices(form: PairForm) -> None:
    form.mentor.choices = [(0, _("Choose a mentor"))] + [
        (u.id, f"{u.name} ({u.email})") for u in services.mentor_choices()
    ]


@bp.route("/pairs", methods=["GET", "POST"])
@role_required(*PAIRING_ROLES)
def pairs():
    """Pair a mentor (a trainer) with learners by email; the current pairs of the manager's teams."""
    scope = scope_of(current_user)
    form = PairForm()
    _mentor_choices(form)
    if form.validate_on_submit():
        mentor = db.session.get(User, form.mentor.data) if form.mentor.data else None
        if mentor is None:
            form.mentor.errors.append(_("Choose a mentor."))
        else:
            try:
                added, problems = services.pair(current_user, mentor, re.split(r"[\s,;]+", form.learners.data))
            except Invalid as exc:
                form.mentor.errors.append(exc.message)
            else:
                if problems:
                    form.learners.errors.extend(problem.message for problem in problems)
                else:
                    db.session.commit()
                    if added:
                        names = ", ".join(learner.name for learner in added)
                        flash(_("%(mentor)s now mentors %(names)s.", mentor=mentor.name, names=names), "success")
                    else:
                        flash(_("%(mentor)s now mentors nobody new.", mentor=mentor.name), "success")
                    return redirect(url_for("mentoring.pairs"))
    return render_template(
        "mentoring/pairs.html", form=form, pairs=services.pairings(scope)
    ), 422 if form.errors else 200


@bp.route("/pairs/<id:mentor_id>/<id:learner_id>/end", methods=["POST"])
@role_required(*PAIRING_ROLES)
def end_pair(mentor_id: int, learner_id: int):
    """End a mentorship, after asking (the learner's records stay as they are)."""
    mentor, learner = db.session.get(User, mentor_id), db.session.get(User, learner_id)
    if (
        mentor is None
        or learner is None
        or db.session.get(Mentorship, (mentor_id, learner_id)) is None
        or not can_pair(current_user, learner)
    ):
        abort(404)
    question = ask_first(
        _("End the mentorship of %(learner)s by %(mentor)s?", learner=learner.name, mentor=mentor.name),
        _(
            "%(mentor)s stops seeing %(learner)s's progress and shared work. Their records stay as they are.",
            mentor=mentor.name,
            learner=learner.name,
        ),
        _("End the mentorship"),
        url_for("mentoring.pairs"),
    )
    if question:
        return question
    try:
        services.unpair(current_user, mentor_id, learner_id)
    except NotAllowed:
        abort(404)
    db.session.commit()
    flash(_("Mentorship ended."), "success")
    return redirect(url_for("mentoring.pairs"))


@bp.route("/reviewers")
@role_required(*PAIRING_ROLES)
def reviewers():
    """Learners who completed a course with approved practice, ready to review it; current reviewers."""
    scope = scope_of(current_user)
    return render_template(
        "mentoring/reviewers.html",
        candidates=services.reviewer_candidates(scope),
        reviewers=services.reviewers(scope),
    )


def _person_and_course(user_id: int) -> tuple[User, Course]:
    person = person_in_scope(current_user, user_id)
    course = db.session.get(Course, int_param("course", 0, source=request.form))
    if person is None or course is None:
        abort(404)
    return person, course


@bp.route("/reviewers/<id:user_id>", methods=["POST"])
@role_required(*PAIRING_ROLES)
def make_reviewer(user_id: int):
    """Make a learner a reviewer of a course they completed with approved practice."""
    person, course = _person_and_course(user_id)
    try:
        services.make_reviewer(current_user, person, course)
    except NotAllowed as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(
            _("%(name)s can now review practice work in %(course)s.", name=person.name, course=course.title), "success"
        )
    return redirect(url_for("mentoring.reviewers"))


@bp.route("/reviewers/<id:user_id>/remove", methods=["POST"])
@role_required(*PAIRING_ROLES)
def remove_reviewer(user_id: int):
    """Withdraw a learner's right to review a course."""
    person, course = _person_and_course(user_id)
    question = ask_first(
        _("Stop %(name)s reviewing %(course)s?", name=person.name, course=course.title),
        _("%(name)s no longer sees or reviews practice work in %(course)s.", name=person.name, course=course.title),
        _("Stop them reviewing"),
        url_for("mentoring.reviewers"),
    )
    if question:
        return question
    services.remove_reviewer(current_user, person, course)
    db.session.commit()
    flash(_("%(name)s no longer reviews %(course)s.", name=person.name, course=course.title), "success")
    return redirect(url_for("mentoring.reviewers"))
