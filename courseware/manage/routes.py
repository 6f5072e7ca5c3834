"""Managers' pages: overview, people, one person, assignments, exports and reminders.

Every route is for managers and admins only (403 for anyone else) and sees only the scope
of the person asking: a person or team outside it answers 404.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core import times
from courseware.core.confirm import ask_first, confirmed
from courseware.core.exports import stream_csv
from courseware.core.validators import date_param, id_params, int_param, text_param
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.learn import objectives as learn_objectives
from courseware.learn.forms import ObjectiveForm
from courseware.manage import charts, figures, record, team_objectives
from courseware.manage.assignment import (
    assign_course,
    assignable_courses,
    due_date_changes,
    people_by_ids,
    stop_team_rule,
    team_rules,
)
from courseware.manage.exports import EVENT_COLUMNS, export_events
from courseware.manage.forms import AssignForm, NudgeForm, PeopleFilterForm
from courseware.manage.overview import Stage, Week, course_funnel, weekly_activity
from courseware.manage.people import (
    SORTS,
    STATUS_LABELS,
    Clock,
    PeopleFilter,
    all_people,
    clock,
    people_page,
    status_counts,
    still_in_scope,
)
from courseware.manage.policies import Scope, person_in_scope, scope_of, teams_in_scope
from courseware.manage.reminders import reminded_on, run_reminders
from courseware.manage.wording import in_language_of, long_date
from courseware.models import Course, Team, TeamAssignment
from courseware.notifications.services import notify
from courseware.progress.timeline import group_sittings

bp = Blueprint("manage", __name__)
bp.add_app_template_filter(long_date, "long_date")

PER_PAGE = 50
MAX_REMINDERS = 200  # sent per click; the daily job reminds everyone
MANAGERS = ("manager", "admin")


def _scope() -> Scope:
    return scope_of(current_user)


def _clock() -> Clock:
    return clock(current_app.config["STALLED_DAYS"])


def _team_in_scope(scope: Scope, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = db.session.get(Team, team_id)
    if team is None or not scope.covers_team(team.id):
        abort(404)
    return team


def _course_or_404(course_id: int | None) -> Course | None:
    if course_id is None:
        return None
    return db.session.get(Course, course_id) or abort(404)


def _filters(scope: Scope, source=None) -> tuple[PeopleFilter, PeopleFilterForm, list[Course], list[Team]]:
    """The people filter from the query string (or ``source``); 400 on nonsense, 404 outside the scope."""
    courses = assignable_courses()
    teams = teams_in_scope(scope)
    form = PeopleFilterForm(source if source is not None else request.args)
    form.team.choices = [("", _("All teams"))] + [(team.id, team.name) for team in teams]
    form.course.choices = [("", _("All courses"))] + [(course.id, course.title) for course in courses]
    values = source if source is not None else request.args
    team_id = int_param("team", source=values)
    course_id = int_param("course", source=values)
    _team_in_scope(scope, team_id)
    _course_or_404(course_id)
    status = values.get("status") or None
    if status is not None and status not in STATUS_LABELS:
        abort(400, _("Unknown status %(status)s; choose one of the statuses in the filter.", status=repr(status)))
    sort = values.get("sort") or "status"
    if sort not in SORTS:
        abort(400, _("Unknown sort %(sort)s; choose one of the columns in the filter.", sort=repr(sort)))
    objectives = values.get("objectives") or None
    if objectives not in (None, "overdue"):
        abort(400, _("Unknown objectives filter %(value)s; choose one in the filter.", value=repr(objectives)))
    filters = PeopleFilter(
        team_id=team_id,
        course_id=course_id,
        status=status,
        query=text_param("q", source=values)[:100],
        sort=sort,
        descending=values.get("order") == "desc",
        user_ids=tuple(learn_objectives.people_overdue_for_review(_clock().today)) if objectives else None,
        objectives_overdue=objectives is not None,
    )
    return filters, form, courses, teams


def _page() -> int:
    return int_param("page", 1)


# --- overview ---------------------------------------------------------------------------------


def _overview_course(courses: list[Course]) -> Course | None:
    """The course chosen for the funnel, else the first one."""
    course_id = int_param("course")
    if course_id is not None:
        return _course_or_404(course_id)
    return courses[0] if courses else None


def _funnel(scope: Scope, now: Clock, course: Course) -> figures.Kept[list[Stage]]:
    return figures.kept(scope, ("funnel", course.id), now, lambda: course_funnel(scope, course))


def _weeks(scope: Scope, now: Clock) -> figures.Kept[list[Week]]:
    return figures.kept(scope, ("weeks",), now, lambda: weekly_activity(scope, now))


@bp.route("/")
@role_required(*MANAGERS)
def overview():
    """The macro picture for the manager's scope: status counts, a course funnel, weekly activity,
    with the time they were worked out."""
    scope = _scope()
    now = _clock()
    courses = assignable_courses()
    course = _overview_course(courses)
    course_id = course.id if course else None
    counts = figures.kept(scope, ("counts", course_id), now, lambda: status_counts(scope, now, course_id))
    funnel = _funnel(scope, now, course) if course else None
    weeks = _weeks(scope, now)
    teams = [] if scope.everyone else teams_in_scope(scope)
    return render_template(
        "manage/overview.html",
        counts=counts.value,
        course=course,
        courses=courses,
        funnel=funnel.value if funnel else [],
        weeks=weeks.value,
        kept=figures.oldest(counts, funnel, weeks),
        teams=teams,
        everyone=scope.everyone,
        stalled_days=now.stalled_days,
        labels=STATUS_LABELS,
        team_objectives=team_objectives.overview_panel(scope, teams),
    )


def _svg_response(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = charts.SVG_POLICY
    return response


@bp.route("/charts/funnel.svg")
@role_required(*MANAGERS)
def funnel_chart():
    """The course funnel as an SVG image (the overview shows the same numbers as a table)."""
    course = _overview_course(assignable_courses()) or abort(404)
    funnel = _funnel(_scope(), _clock(), course).value
    return _svg_response(charts.funnel_svg(_("Progress through %(title)s", title=course.title), funnel))


@bp.route("/charts/activity.svg")
@role_required(*MANAGERS)
def activity_chart():
    """Weekly activity as an SVG image (the overview shows the same numbers as a table)."""
    weeks = _weeks(_scope(), _clock()).value
    return _svg_response(charts.activity_svg(_("Activity per week"), weeks))


# --- people -----------------------------------------------------------------------------------


@bp.route("/people")
@role_required(*MANAGERS)
def people():
    """One row per person in scope: progress, last activity, trend and status with its cause,
    with the time they were worked out."""
    scope = _scope()
    now = _clock()
    filters, form, courses, teams = _filters(scope)
    page = _page()
    kept = figures.kept(
        scope,
        ("people", filters, page, PER_PAGE),
        now,
        lambda: people_page(scope, filters, now, page=page, per_page=PER_PAGE),
    )
    rows, total = kept.value
    rows = still_in_scope(scope, rows)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template(
        "manage/people.html",
        rows=rows,
        total=total,
        kept=kept,
        page=page,
        pages=pages,
        form=form,
        filters=filters,
        courses=courses,
        teams=teams,
        stalled_days=now.stalled_days,
        labels=STATUS_LABELS,
    )


def _csv_response(rows: Iterator[str], filename: str) -> Response:
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


PEOPLE_COLUMNS = (
    "user_id",
    "name",
    "email",
    "team",
    "courses",
    "completed_courses",
    "percent_complete",
    "last_active",
    "events_last_14_days",
    "events_14_days_before",
    "trend",
    "status",
    "cause",
    "due_date",
)


@bp.route("/people.csv")
@role_required(*MANAGERS)
def people_csv():
    """The people table as filtered, every page of it, as CSV (streamed)."""
    scope = _scope()
    now = _clock()
    filters, *_ = _filters(scope)
    zone = times.viewer_zone()

    def rows():
        for row in all_people(scope, filters, now):
            status = row.status
            yield (
                row.id,
                row.name,
                row.email,
                row.team or "",
                row.enrolled,
                row.completed,
                row.percent,
                times.iso_in_zone(row.last_active_at, zone),
                row.recent,
                row.before,
                row.trend,
                status.status,
                status.cause,
                row.due_date.isoformat() if row.due_date else "",
            )

    return _csv_response(stream_csv(PEOPLE_COLUMNS, rows()), "people.csv")


@bp.route("/events.csv")
@role_required(*MANAGERS)
def events_csv():
    """Raw events of people in scope between ``start`` and ``end`` (YYYY-MM-DD, both included),
    streamed in batches so that memory stays flat; 400 with a message for bad dates."""
    scope = _scope()
    start, end = date_param("start", required=True), date_param("end", required=True)
    if end < start:
        abort(400, _("The end date is before the start date."))

    zone = times.viewer_zone()

    def rows():
        for row in export_events(scope, start, end):
            when, *rest = row
            yield (times.iso_in_zone(when, zone), *("" if value is None else value for value in rest))

    return _csv_response(stream_csv(EVENT_COLUMNS, rows()), f"events-{start}-to-{end}.csv")


# --- assigning ----------------------------------------------------------------------------------


def _assign_form(scope: Scope, selected_people) -> AssignForm:
    form = AssignForm()
    form.course.choices = [(course.id, course.title) for course in assignable_courses()]
    form.teams.choices = [(team.id, team.name) for team in teams_in_scope(scope)]
    form.people.choices = [(person.id, f"{person.name} ({person.email})") for person in selected_people]
    return form


@bp.route("/assign", methods=["GET", "POST"])
@role_required(*MANAGERS)
def assign():
    """Assign a course with a due date to whole teams and to people chosen on the people page."""
    scope = _scope()
    ids = id_params("people", source=request.form) if request.method == "POST" else id_params("person")
    selected = people_by_ids(scope, ids)
    if len(selected) != len(set(ids)):
        abort(404)
    form = _assign_form(scope, selected)
    if request.method == "GET":
        form.people.data = [person.id for person in selected]
    moved = []
    if form.validate_on_submit():
        course = db.session.get(Course, form.course.data) or abort(404)
        chosen = {
            "due_date": form.due_date.data,
            "team_ids": form.teams.data or [],
            "user_ids": form.people.data or [],
        }
        try:
            moved = due_date_changes(scope, course, **chosen)
            if not moved or confirmed():
                result = assign_course(current_user, scope, course, follow_teams=form.reach.data != "today", **chosen)
        except NotAllowed:
            abort(404)
        except Invalid as exc:
            getattr(form, exc.field or "course").errors.append(exc.message)
        else:
            if not moved or confirmed():
                db.session.commit()
                flash(_assigned_message(course, result), "success")
                return redirect(url_for("manage.people", course=course.id))
            return render_template("manage/assign_confirm.html", form=form, course=course, moved=moved)
    return render_template(
        "manage/assign.html", form=form, selected=selected, rules=team_rules(scope)
    ), 422 if form.errors else 200


def _assigned_message(course: Course, result) -> str:
    """What the manager is told once a course is assigned, in whole sentences."""
    if result.due_date:
        said = ngettext(
            "%(title)s is assigned to %(num)d person, due %(due)s (%(new)d newly enrolled).",
            "%(title)s is assigned to %(num)d people, due %(due)s (%(new)d newly enrolled).",
            result.people,
            title=course.title,
            due=long_date(result.due_date),
            new=result.new,
        )
    else:
        said = ngettext(
            "%(title)s is assigned to %(num)d person (%(new)d newly enrolled).",
            "%(title)s is assigned to %(num)d people (%(new)d newly enrolled).",
            result.people,
            title=course.title,
            new=result.new,
        )
    sentences = [said]
    if result.moved:
        sentences.append(
            ngettext("%(num)d told of their new due date.", "%(num)d told of their new due date.", len(result.moved))
        )
    if result.rules:
        sentences.append(_("People who join the team later are enrolled too."))
    return " ".join(sentences)


@bp.route("/assign/rules/<id:rule_id>/stop", methods=["POST"])
@role_required(*MANAGERS)
def stop_rule(rule_id: int):
    """Stop enrolling the people who join a team later in a course, after asking; who is enrolled
    stays enrolled."""
    scope = _scope()
    rule = db.session.get(TeamAssignment, rule_id)
    if rule is None or not scope.covers_team(rule.team_id):
        abort(404)
    question = ask_first(
        _("Stop assigning %(title)s to whoever joins %(team)s?", title=rule.course.title, team=rule.team.name),
        _("Everyone enrolled so far stays enrolled, with their due dates; people who join the team later are not."),
        _("Stop the rule"),
        url_for("manage.assign"),
    )
    if question:
        return question
    title, team = rule.course.title, rule.team.name
    stop_team_rule(scope, rule, current_user)
    db.session.commit()
    flash(_("People who join %(team)s from now on are not enrolled in %(title)s.", team=team, title=title), "success")
    return redirect(url_for("manage.assign"))


@bp.route("/people/selected", methods=["POST"])
@role_required(*MANAGERS)
def people_selected():
    """The people page's bulk actions on the ticked rows: assign a course, or send reminders."""
    scope = _scope()
    ids = id_params("person", source=request.form)
    back = url_for("manage.people", **_kept_filter_args())
    if not ids:
        flash(_("Tick at least one person first."), "error")
        return redirect(back)
    action = request.form.get("action")
    if action == "assign":
        return redirect(url_for("manage.assign", person=ids))
    if action != "remind":
        abort(400, _("Unknown action: use the buttons under the people table."))
    people = people_by_ids(scope, ids)
    if len(people) != len(set(ids)):
        abort(404)
    return _remind(scope, PeopleFilter(user_ids=tuple(ids)), back)


def _kept_filter_args() -> dict:
    keep = ("team", "course", "status", "q", "sort", "order", "page")
    return {key: request.form[key] for key in keep if request.form.get(key)}


@bp.route("/reminders", methods=["POST"])
@role_required(*MANAGERS)
def send_reminders():
    """Remind every stalled or overdue person matching the people page's current filter."""
    scope = _scope()
    filters, *_ = _filters(scope, source=request.form)
    return _remind(scope, filters, url_for("manage.people", **_kept_filter_args()))


def _remind(scope: Scope, filters: PeopleFilter, back: str):
    """Record the reminders now, their emails queued with them; past ``MAX_REMINDERS`` the rest
    is left to the daily job, so that one click never keeps a request busy with thousands of people."""
    now = _clock()
    rows = list(all_people(scope, filters, now))
    due = [row for row in rows if row.remindable]
    reminded = reminded_on(now.today, [row.id for row in due])
    waiting = [row for row in due if row.id not in reminded]
    summary = run_reminders(waiting[:MAX_REMINDERS], current_user.id, now.today)
    summary.skipped += len(rows) - len(due)
    summary.already += len(reminded)
    flash(summary.describe(), "success" if summary.sent else "warning")
    if len(waiting) > MAX_REMINDERS:
        flash(
            ngettext(
                "%(num)d more people are stalled or overdue; the daily reminder job "
                "(%(command)s) reminds them, or send again to remind the next ones.",
                "%(num)d more people are stalled or overdue; the daily reminder job "
                "(%(command)s) reminds them, or send again to remind the next ones.",
                len(waiting) - MAX_REMINDERS,
                command="flask --app app reminders send",
            ),
            "warning",
        )
    return redirect(back)


# --- one person -----------------------------------------------------------------------------------


@bp.route("/people/<id:user_id>")
@role_required(*MANAGERS)
def person(user_id: int):
    """One person's record: status, progress per course, timeline, practice work and reviews,
    objectives with their revisions, and the journal entries they shared with managers."""
    person = person_in_scope(current_user, user_id) or abort(404)
    return _render_person(person, ObjectiveForm(formdata=None), NudgeForm(formdata=None))


@bp.route("/people/<id:user_id>/objectives", methods=["POST"])
@role_required(*MANAGERS)
def set_objective(user_id: int):
    """Set an objective for a person in scope; they are told, and it is theirs to revise."""
    person = person_in_scope(current_user, user_id) or abort(404)
    form = ObjectiveForm()
    if not form.validate_on_submit():
        return _render_person(person, form, status=422)
    objective = learn_objectives.set_objective(person, current_user, form.values(), form.form_key.data)
    with in_language_of(person):
        told = _("%(name)s set an objective with you: %(title)s", name=current_user.name, title=objective.title)
    notify(person, "objective", told, url_for("learn.objective", objective_id=objective.id))
    db.session.commit()
    flash(_("Objective set for %(name)s.", name=person.name), "success")
    return redirect(url_for("manage.person", user_id=person.id, _anchor="objectives"))


def _render_person(person, objective_form, nudge_form=None, status: int = 200):
    scope = _scope()
    now = _clock()
    before = int_param("before")
    events = record.timeline(person, before_id=before, limit=PER_PAGE + 1)
    more = len(events) > PER_PAGE
    events = events[:PER_PAGE]
    submissions = record.submissions_with_reviews(person)
    reviewers = record.reviewer_names(review for *_, reviews in submissions for review in reviews)
    objectives = record.objectives_with_revisions(person)
    return render_template(
        "manage/person.html",
        person=person,
        team=db.session.get(Team, person.team_id) if person.team_id else None,
        summary=record.person_summary(scope, person, now),
        courses=record.course_progress(person),
        events=group_sittings(events, lambda item: item.event),
        older=events[-1].event.id if more and events else None,
        submissions=submissions,
        reviewers=reviewers,
        objectives=objectives,
        trends={s.objective.id: s for s in learn_objectives.summaries(objectives, now.now.date())},
        journal=record.shared_journal(person),
        checklists=record.checklists_for_trainers(person),
        comment_counts=record.comment_counts(person),
        reminders=record.reminders_of(person),
        labels=STATUS_LABELS,
        objective_form=objective_form,
        nudge_form=nudge_form or NudgeForm(formdata=None),
        reminded_today=bool(reminded_on(now.today, [person.id])),
    ), status


@bp.route("/people/<id:user_id>/remind", methods=["POST"])
@role_required(*MANAGERS)
def remind_person(user_id: int):
    """Nudge this person, whatever their status, with a message of your own if you like; one
    reminder a day per person, whoever sends it (a second is refused, the message kept)."""
    scope = _scope()
    person = person_in_scope(current_user, user_id) or abort(404)
    form = NudgeForm()
    if not form.validate_on_submit():
        return _render_person(person, ObjectiveForm(formdata=None), form, status=422)
    now = _clock()
    row = record.person_summary(scope, person, now)
    if row is None or not person.is_active:
        form.message.errors.append(_("%(name)s cannot be reminded: their account is not active.", name=person.name))
        return _render_person(person, ObjectiveForm(formdata=None), form, status=422)
    summary = run_reminders([row], current_user.id, now.today, message=form.message.data, anyone=True)
    if not summary.sent:
        form.message.errors.append(
            _(
                "%(name)s has already been reminded today; one reminder a day per person. "
                "Your message is kept here: send it tomorrow.",
                name=person.name,
            )
        )
        return _render_person(person, ObjectiveForm(formdata=None), form, status=422)
    flash(_("Reminder sent to %(name)s. %(summary)s", name=person.name, summary=summary.describe()), "success")
    return redirect(url_for("manage.person", user_id=person.id))
