"""The learner's pages: my learning, course outline, the lesson player, journal, objectives."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courseware.auth.policies import role_required
from courseware.content import translations
from courseware.core import times
from courseware.core.caching import content_cache
from courseware.core.validators import CheckedForm, int_param, text_param, whole_number
from courseware.covers.services import cover_versions
from courseware.db import utcnow
from courseware.discussions.policies import discussion_open
from courseware.discussions.routes import discussion_context
from courseware.drafts.keeping import fill_draft, keeps_drafts
from courseware.evidence.services import check_uploads, evidence_of_checklist
from courseware.evidence.uploads import accepts_evidence, uploads
from courseware.exceptions import Invalid, NotAllowed, NotOpenYet
from courseware.extensions import db
from courseware.i18n import select_locale
from courseware.learn import activities, check_ins, objective_policies, records
from courseware.learn import journal as journal_entries
from courseware.learn import objectives as learner_objectives
from courseware.learn.course_map import course_map, lesson_for_learner, my_courses
from courseware.learn.enrollment import course_for_learner, published_course, published_lesson
from courseware.learn.forms import (
    JOURNAL_DRAFT,
    PRACTICE_DRAFT,
    REFLECTION_DRAFT,
    CheckInForm,
    ChecklistEvidenceForm,
    JournalForm,
    ObjectiveForm,
    PracticeForm,
    ReflectionForm,
    ReviewForm,
    SharingForm,
    TeamObjectiveForm,
    read_links,
)
from courseware.learn.lesson_page import keep_unanswered_quiz, lesson_page, unanswered_quiz
from courseware.manage import charts
from courseware.models import Objective
from courseware.progress.timeline import group_sittings

bp = Blueprint("learn", __name__)


def _course(slug: str, user=None):
    try:
        return course_for_learner(user or current_user, slug)
    except NotAllowed:
        abort(404)


def _lesson(course, slug: str, user=None):
    try:
        return lesson_for_learner(user or current_user, course, slug)
    except NotAllowed as exc:
        _refuse(exc)


def _refuse(exc: NotAllowed):
    """403 for a lesson not open yet (saying why), 404 for anything the learner may not see."""
    if isinstance(exc, NotOpenYet):
        abort(403, exc.message)
    abort(404)


def _published(course_slug: str, lesson_slug: str):
    """The published course and lesson, whoever asks (a step checks the learner's enrollment and
    that the lesson is open to them under their lock); 404 when there is none."""
    course = published_course(course_slug)
    lesson = published_lesson(course, lesson_slug) if course is not None else None
    if lesson is None:
        abort(404)
    return course, lesson


def _activity(lesson, key: str, kind: str) -> dict:
    """The lesson's activity ``key``, which must be of type ``kind``; 404 otherwise."""
    try:
        activity = activities.find_activity(lesson, key)
    except Invalid:
        abort(404)
    if activity["type"] != kind:
        abort(404)
    return activity


def _lesson_url(course, lesson, anchor: str | None = None, **args) -> str:
    return url_for("learn.lesson", course_slug=course.slug, lesson_slug=lesson.slug, _anchor=anchor, **args)


@bp.route("/learn")
@role_required()
def home():
    """My learning: assigned courses with progress, due dates and where to continue, and the
    objectives due for review (the person is told of each in their notifications, once)."""
    cards = my_courses(current_user)
    today = utcnow().date()
    reviews = learner_objectives.due_reviews(current_user, today)
    if any(due.objective.review_prompted_on != due.due_on for due in reviews):
        with db.writing():
            learner_objectives.prompt_due_reviews(current_user, today)
            db.session.commit()
    covers = cover_versions(card.course.id for card in cards)
    return render_template("learn/home.html", cards=cards, reviews=reviews, covers=covers)


@bp.route("/learn/<course_slug>")
@role_required()
def course(course_slug: str):
    """The course outline: modules and lessons with the learner's state of each."""
    course, enrollment = _course(course_slug)
    cmap = course_map(current_user, course)
    return render_template("learn/course.html", course=_in_language(course), enrollment=enrollment, cmap=cmap)


@bp.route("/learn/<course_slug>/continue")
@role_required()
def resume(course_slug: str):
    """Go to the first lesson the learner can work on, or the outline when there is none."""
    course, _ = _course(course_slug)
    item = course_map(current_user, course).next_lesson
    if item is None:
        return redirect(url_for("learn.course", course_slug=course.slug))
    return redirect(url_for("learn.lesson", course_slug=course.slug, lesson_slug=item.slug))


def render_lesson(course, enrollment, lesson, cmap, *, status: int = 200, forms=None, quiz_unanswered=None):
    """The lesson page with its activities, the learner's earlier work and where they are."""
    page = lesson_page(
        current_user,
        lesson,
        cmap,
        attempt_id=int_param("attempt"),
        forms=forms,
        quiz_unanswered=quiz_unanswered,
    )
    for panel in page.panels:
        if panel["activity"]["type"] == "quiz":
            panel["questions_html"] = _quiz_questions(page.revision, panel)
    return render_template(
        "learn/lesson.html",
        course=_in_language(course),
        enrollment=enrollment,
        lesson=lesson,
        revision=page.revision,
        body_html=page.revision.body_html,
        menu_html=_course_menu(_in_language(course), cmap, page.item),
        item=page.item,
        module=page.module,
        cmap=cmap,
        previous=page.previous,
        following=page.following,
        panels=page.panels,
        discussion=discussion_context(course, lesson) if discussion_open(course, page.revision) else None,
    ), status


def _in_language(course):
    """The course with its title and summary in the page's language, where it has them."""
    return translations.course_in(course, select_locale())


def _fragment(cache_key: tuple, template: str, **context) -> Markup:
    """A part of a page that depends on ``cache_key`` and the page's language alone, rendered
    once per worker and kept."""
    cache_key = ("fragment", template, select_locale(), *cache_key)
    return content_cache().get_or_make(cache_key, lambda: Markup(render_template(template, **context)))


def _course_menu(course, cmap, item) -> Markup:
    """The course menu: the same for every learner at the same states on the same lesson."""
    states = tuple(lesson.state for lesson in cmap.lessons)
    key = (course.id, course.updated_at, course.title, item.id, states)
    return _fragment(key, "learn/_course_menu.html", course=course, cmap=cmap, item=item)


def _quiz_questions(revision, panel: dict) -> Markup:
    """A quiz's questions with the learner's picks, the feedback on an attempt and the questions
    left unanswered; kept per revision while nothing is ticked (they never change)."""
    activity = panel["activity"]
    context = {
        "activity": activity,
        "key": activity["key"],
        "values": panel["values"],
        "result": panel["result"],
        "missing": panel["missing"],
    }
    if panel["values"] or panel["result"] or panel["missing"]:
        return Markup(render_template("learn/_quiz_questions.html", **context))
    return _fragment(
        (revision.id, getattr(revision, "version", ()), activity["key"]), "learn/_quiz_questions.html", **context
    )


@bp.route("/learn/<course_slug>/<lesson_slug>")
@role_required()
def lesson(course_slug: str, lesson_slug: str):
    """A lesson: its content, its activities, previous and next, and the course around it."""
    me = current_user._get_current_object()
    course, enrollment = _course(course_slug, me)
    try:
        lesson, cmap = lesson_for_learner(me, course, lesson_slug)
    except NotOpenYet:
        return _locked_lesson(course, course_map(me, course), lesson_slug)
    except NotAllowed as exc:
        _refuse(exc)
    if not activities.viewed_today(me, lesson):
        with db.writing():
            activities.record_view(me, lesson)
            db.session.commit()
        cmap = course_map(me, course)
    return render_lesson(course, enrollment, lesson, cmap, quiz_unanswered=unanswered_quiz(lesson))


def _locked_lesson(course, cmap, lesson_slug: str):
    """A lesson not open yet: what it is, and the lesson to do next instead (403)."""
    item = cmap.find(lesson_slug)
    module = next(m for m in cmap.modules if m.id == item.module_id)
    return render_template(
        "learn/locked.html",
        course=_in_language(course),
        cmap=cmap,
        item=item,
        module=module,
        next_lesson=cmap.next_lesson,
    ), 403


@bp.route("/learn/<course_slug>/<lesson_slug>/read", methods=["POST"])
@db.reads_first
@role_required()
def mark_read(course_slug: str, lesson_slug: str):
    """Complete a lesson that has no activities."""
    course, lesson = _published(course_slug, lesson_slug)
    if lesson.published_revision.activities:
        _lesson(_course(course_slug)[0], lesson_slug)  # 404 for anyone but its learners
        abort(400, _("This lesson completes when its activities are done."))
    with db.writing():
        try:
            activities.mark_read(current_user, lesson)
        except NotAllowed as exc:
            _refuse(exc)
        db.session.commit()
    flash(_("Lesson marked as read."), "success")
    return _after_step(course, lesson)


def _after_step(course, lesson):
    """Back to the lesson, or on to the next one when it just completed."""
    return redirect(_lesson_url(course, lesson, anchor="lesson-status"))


@bp.route("/learn/<course_slug>/<lesson_slug>/quiz/<key>", methods=["POST"])
@db.reads_first
@role_required()
def answer_quiz(course_slug: str, lesson_slug: str, key: str):
    """Score a quiz attempt; unanswered questions send the page back with the answers kept.

    Everything up to scoring only reads; the attempt is stored under the write lock alone, which
    is where the learner's enrollment and the lesson being open to them are checked.
    """
    course, lesson = _published(course_slug, lesson_slug)
    activity = _activity(lesson, key, "quiz")
    answers, missing = activities.parse_quiz_answers(activity, request.form)
    if missing:
        _course(course_slug)
        _lesson(course, lesson_slug)
        keep_unanswered_quiz(lesson, key, answers, missing)
        return redirect(_lesson_url(course, lesson, anchor=f"activity-{key}"), 303)
    form_key = text_param("form_key", max_length=100, source=request.form)
    with db.writing():
        try:
            attempt = activities.answer_quiz(current_user, lesson, activity, answers, form_key)
        except NotAllowed as exc:
            _refuse(exc)
        db.session.commit()
    return redirect(_lesson_url(course, lesson, anchor=f"activity-{key}", attempt=attempt.id))


@bp.route("/learn/<course_slug>/<lesson_slug>/checklist/<key>", methods=["POST"])
@db.reads_first
@role_required()
def save_checklist(course_slug: str, lesson_slug: str, key: str):
    """Save the ticked items (answers JSON when asked by the page's script)."""
    course, lesson = _published(course_slug, lesson_slug)
    activity = _activity(lesson, key, "checklist")
    ticked = [n for n in (whole_number(v) for v in request.form.getlist("item")) if n is not None]
    form_key = text_param("form_key", max_length=100, source=request.form)
    with db.writing():
        try:
            state = activities.save_checklist(current_user, lesson, activity, ticked, form_key)
        except NotAllowed as exc:
            _refuse(exc)
        db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return {"ticked": state.ticked, "status": state.status, "items": len(activity["items"])}
    flash(_("Checklist saved."), "success")
    return redirect(_lesson_url(course, lesson, anchor=f"activity-{key}"))


def _evidence_errors(form, errors: list[str]) -> None:
    """Refused files on the form's file field; files are never kept across a refusal, so say so."""
    if errors:
        form.files.errors = [
            *errors,
            _("Nothing was handed in: choose the files to send again (what you typed is kept)."),
        ]


def _activity_page(args: dict) -> str:
    """The lesson page at an activity: where its form is shown (for drafts)."""
    return url_for(
        "learn.lesson",
        course_slug=args["course_slug"],
        lesson_slug=args["lesson_slug"],
        _anchor=f"activity-{args['key']}",
    )


@bp.route("/learn/<course_slug>/<lesson_slug>/practice/<key>", methods=["POST"])
@accepts_evidence
@role_required()
@keeps_drafts(PRACTICE_DRAFT, PracticeForm, "text", "links", page=_activity_page)
def submit_practice(course_slug: str, lesson_slug: str, key: str):
    """Hand in practice work with its links and files; the text and links stay on the page when
    something needs fixing, with a message for each refused file."""
    course, enrollment = _course(course_slug)
    lesson, cmap = _lesson(course, lesson_slug)
    activity = _activity(lesson, key, "practice")
    form = PracticeForm()
    if form.validate_on_submit():
        files, errors = check_uploads(uploads())
        _evidence_errors(form, errors)
        if not errors:
            try:
                activities.submit_practice(
                    current_user,
                    lesson,
                    activity,
                    form.text.data,
                    None,
                    form.form_key.data,
                    links=read_links(form.links.data),
                    files=files,
                )
            except NotAllowed as exc:
                _refuse(exc)
            except Invalid as exc:
                form.text.errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("Your work is handed in."), "success")
                return redirect(_lesson_url(course, lesson, anchor=f"activity-{key}"))
    return render_lesson(course, enrollment, lesson, cmap, status=422, forms={key: form})


@bp.route("/learn/<course_slug>/<lesson_slug>/checklist/<key>/evidence", methods=["POST"])
@accepts_evidence
@role_required()
def checklist_evidence(course_slug: str, lesson_slug: str, key: str):
    """Keep a note, links and files beside a checklist for the trainer who confirms it; the note
    and links stay on the page when something needs fixing."""
    course, enrollment = _course(course_slug)
    lesson, cmap = _lesson(course, lesson_slug)
    activity = _activity(lesson, key, "checklist")
    form = ChecklistEvidenceForm()
    if form.validate_on_submit():
        state = activities.checklist_state(current_user, lesson, key)
        files, errors = check_uploads(uploads(), already=len(evidence_of_checklist(state)))
        _evidence_errors(form, errors)
        if not errors:
            try:
                activities.add_checklist_evidence(
                    current_user, lesson, activity, form.note.data or "", read_links(form.links.data), files
                )
            except NotAllowed as exc:
                _refuse(exc)
            except Invalid as exc:
                form.note.errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("Your evidence is saved with the checklist."), "success")
                return redirect(_lesson_url(course, lesson, anchor=f"activity-{key}"))
    return render_lesson(course, enrollment, lesson, cmap, status=422, forms={key: form})


@bp.route("/learn/<course_slug>/<lesson_slug>/reflection/<key>", methods=["POST"])
@role_required()
@keeps_drafts(REFLECTION_DRAFT, ReflectionForm, "body", page=_activity_page)
def write_reflection(course_slug: str, lesson_slug: str, key: str):
    """Save the answer to a reflection prompt in the learner's journal."""
    course, enrollment = _course(course_slug)
    lesson, cmap = _lesson(course, lesson_slug)
    activity = _activity(lesson, key, "reflection")
    form = ReflectionForm()
    if form.validate_on_submit():
        try:
            activities.write_reflection(
                current_user,
                lesson,
                activity,
                form.body.data,
                share_mentor=form.share_mentor.data,
                share_manager=form.share_manager.data,
                form_key=form.form_key.data,
            )
        except NotAllowed as exc:
            _refuse(exc)
        db.session.commit()
        flash(_("Saved in your journal."), "success")
        return redirect(_lesson_url(course, lesson, anchor=f"activity-{key}"))
    return render_lesson(course, enrollment, lesson, cmap, status=422, forms={key: form})


@bp.route("/journal", methods=["GET", "POST"])
@role_required()
@keeps_drafts(JOURNAL_DRAFT, JournalForm, "body")
def journal():
    """The learner's journal: reflections and free entries, each shared or private."""
    form = JournalForm()
    if form.validate_on_submit():
        journal_entries.add_journal_entry(
            current_user,
            form.body.data,
            share_mentor=form.share_mentor.data,
            share_manager=form.share_manager.data,
            form_key=form.form_key.data,
        )
        db.session.commit()
        flash(_("Journal entry saved."), "success")
        return redirect(url_for("learn.journal"))
    draft = None if form.is_submitted() else fill_draft(form, JOURNAL_DRAFT)
    entries = journal_entries.journal(current_user)
    return render_template(
        "learn/journal.html", form=form, entries=entries, draft=draft, draft_name=JOURNAL_DRAFT
    ), 422 if form.errors else 200


@bp.route("/journal/<id:entry_id>/sharing", methods=["POST"])
@role_required()
def journal_sharing(entry_id: int):
    """Change who an entry is shared with."""
    try:
        entry = journal_entries.own_journal_entry(current_user, entry_id)
    except NotAllowed:
        abort(404)
    form = SharingForm()
    if form.validate_on_submit():
        journal_entries.set_sharing(entry, share_mentor=form.share_mentor.data, share_manager=form.share_manager.data)
        db.session.commit()
        flash(_("Sharing updated."), "success")
    return redirect(url_for("learn.journal", _anchor=f"entry-{entry.id}"))


@bp.route("/objectives", methods=["GET", "POST"])
@role_required()
def objectives():
    """The learner's objectives, and a form to set a new one."""
    form = ObjectiveForm()
    if form.validate_on_submit():
        learner_objectives.set_objective(current_user, current_user, form.values(), form.form_key.data)
        db.session.commit()
        flash(_("Objective saved."), "success")
        return redirect(url_for("learn.objectives"))
    today = utcnow().date()
    return render_template(
        "learn/objectives.html",
        form=form,
        objectives=learner_objectives.summaries(learner_objectives.objectives(current_user), today),
        team_objectives=learner_objectives.summaries(learner_objectives.team_objectives_of(current_user), today),
    ), 422 if form.errors else 200


def _visible_objective(objective_id: int):
    """The objective when the current person may see it; 404 otherwise, as if it did not exist."""
    objective = db.session.get(Objective, objective_id)
    if objective is None or not objective_policies.can_see_objective(current_user, objective):
        abort(404)
    return objective


def _check_in_form(objective, **kwargs) -> CheckInForm:
    form = CheckInForm(**kwargs)
    entries = journal_entries.journal(current_user) if objective.measure_kind == "qualitative" else []
    form.journal_entries.choices = [(entry.id, f"{entry.created_at:%-d %b %Y}: {entry.body[:60]}") for entry in entries]
    return form


def _render_objective(objective, form=None, check_in_form=None, review_form=None, status: int = 200):
    can_change = objective_policies.can_change_objective(current_user, objective)
    if form is None and can_change:
        form = objective_form_for(objective, obj=objective)
        form.note.data = ""
    if check_in_form is None and objective_policies.can_check_in(current_user, objective):
        check_in_form = _check_in_form(objective)
    if review_form is None and can_change and objective.status == "active":
        review_form = ReviewForm()
    items = check_ins.check_ins(objective)
    today = utcnow().date()
    return render_template(
        "learn/objective.html",
        objective=objective,
        form=form if can_change else None,
        check_in_form=check_in_form,
        review_form=review_form,
        check_ins=items,
        changed=check_ins.changed_check_ins(items),
        progress=check_ins.progress(objective, items),
        review_state=learner_objectives.review_state(objective, today),
        review_dates=learner_objectives.review_dates_of(objective),
    ), status


def objective_form_for(objective, **kwargs):
    return (TeamObjectiveForm if objective.team_id is not None else ObjectiveForm)(**kwargs)


@bp.route("/objectives/<id:objective_id>", methods=["GET", "POST"])
@role_required()
def objective(objective_id: int):
    """An objective: how it is going (chart and table), its check-ins, its review and its history.
    Those who may change it revise it here; every revision is kept and listed."""
    objective = _visible_objective(objective_id)
    if request.method == "GET":
        return _render_objective(objective)
    if not objective_policies.can_change_objective(current_user, objective):
        abort(404)
    form = objective_form_for(objective)
    if form.validate_on_submit():
        revision = learner_objectives.revise_objective(objective, current_user, form.values(), form.form_key.data)
        db.session.commit()
        flash(_("Objective revised.") if revision else _("Nothing changed."), "success" if revision else "info")
        return redirect(url_for("learn.objective", objective_id=objective.id))
    return _render_objective(objective, form=form, status=422)


@bp.route("/objectives/<id:objective_id>/chart.svg")
@role_required()
def objective_chart(objective_id: int):
    """The objective's values over time against the line from baseline to target, as an SVG image
    (its page shows the same numbers as a table)."""
    objective = _visible_objective(objective_id)
    figures = check_ins.progress(objective, check_ins.check_ins(objective))
    response = Response(charts.objective_svg(objective.title, objective.unit, figures.points), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = charts.SVG_POLICY
    return response


@bp.route("/objectives/<id:objective_id>/check-ins", methods=["POST"])
@role_required()
def check_in(objective_id: int):
    """Record how the objective is going: its owner, or a member of the team it was set for."""
    objective = _visible_objective(objective_id)
    if not objective_policies.can_check_in(current_user, objective):
        abort(404)
    form = _check_in_form(objective)
    if form.validate_on_submit():
        try:
            check_ins.add_check_in(objective, current_user, form.values(), form.form_key.data)
        except Invalid as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Check-in saved."), "success")
            return redirect(url_for("learn.objective", objective_id=objective.id, _anchor="check-ins"))
    return _render_objective(objective, check_in_form=form, status=422)


def _own_check_in(objective_id: int, check_in_id: int):
    objective = _visible_objective(objective_id)
    try:
        return objective, check_ins.check_in_for(current_user, objective, check_in_id)
    except NotAllowed:
        abort(404)


@bp.route("/objectives/<id:objective_id>/check-ins/<id:check_in_id>", methods=["GET", "POST"])
@role_required()
def edit_check_in(objective_id: int, check_in_id: int):
    """Change one of your check-ins; what it said before is kept and listed."""
    objective, item = _own_check_in(objective_id, check_in_id)
    form = _check_in_form(objective, obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.rating.data = str(item.rating) if item.rating else None
        form.journal_entries.data = item.journal_entry_ids or []
    if form.validate_on_submit():
        try:
            revision = check_ins.edit_check_in(item, current_user, form.values())
        except Invalid as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Check-in changed.") if revision else _("Nothing changed."), "success" if revision else "info")
            return redirect(url_for("learn.objective", objective_id=objective.id, _anchor="check-ins"))
    return render_template(
        "learn/check_in.html", objective=objective, check_in=item, form=form
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/objectives/<id:objective_id>/check-ins/<id:check_in_id>/delete", methods=["POST"])
@role_required()
def delete_check_in(objective_id: int, check_in_id: int):
    """Take one of your check-ins off the objective; it stays in the check-in's history."""
    objective, item = _own_check_in(objective_id, check_in_id)
    if not CheckedForm().validate_on_submit():
        abort(400)
    check_ins.delete_check_in(item, current_user)
    db.session.commit()
    flash(_("Check-in deleted. Its history is kept."), "success")
    return redirect(url_for("learn.objective", objective_id=objective.id, _anchor="check-ins"))


@bp.route("/objectives/<id:objective_id>/review", methods=["POST"])
@role_required()
def review_objective(objective_id: int):
    """Review an objective: keep, revise or retire it, and say what you learned. Revising goes on
    to the objective's form."""
    objective = _visible_objective(objective_id)
    if not objective_policies.can_change_objective(current_user, objective) or objective.status != "active":
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        learner_objectives.review_objective(
            objective, current_user, form.decision.data, form.learned.data, form.form_key.data
        )
        db.session.commit()
        if form.decision.data == "revise":
            flash(_("Review saved. Now revise the objective below."), "success")
            return redirect(url_for("learn.objective", objective_id=objective.id, _anchor="revise"))
        flash(
            _("Review saved.") if form.decision.data == "keep" else _("Review saved; the objective is retired."),
            "success",
        )
        return redirect(url_for("learn.objective", objective_id=objective.id))
    return _render_objective(objective, review_form=form, status=422)


@bp.route("/progress")
@role_required()
def my_progress():
    """My progress: percentage per course, my timeline, my objectives."""
    return render_template(
        "learn/progress.html",
        cards=my_courses(current_user),
        events=group_sittings(records.timeline(current_user, select_locale()), lambda row: row[0]),
        objectives=learner_objectives.objectives(current_user),
    )


@bp.route("/learn/<course_slug>/certificate")
@role_required()
def my_certificate(course_slug: str):
    """Go to the certificate of a course the learner completed; 404 before they complete it."""
    course, enrollment = _course(course_slug)
    if enrollment.completed_at is None:
        abort(404, _("You will get a certificate when you complete this course."))
    return redirect(url_for("learn.certificate", code=enrollment.certificate_code))


@bp.route("/certificates/<code>")
def certificate(code: str):
    """A printable certificate that anyone holding its address can verify."""
    found = records.certificate(code)
    if found is None:
        abort(404, _("No completed course has this certificate number. Check the address."))
    enrollment, person, course = found
    # The learner's own zone: the certificate shows everyone who checks it the same date.
    learner_zone = times.zone(times.person_zone_name(person))
    return render_template(
        "learn/certificate.html",
        enrollment=enrollment,
        person=person,
        course=course,
        completed_on=times.local(enrollment.completed_at, learner_zone),
    )
