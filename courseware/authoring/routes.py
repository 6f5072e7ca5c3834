"""Authoring pages (``/author``): courses, modules, the lesson editor, revisions, zips, editors."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from courseware.auth.policies import role_required
from courseware.authoring import archive, services
from courseware.authoring.editor import (
    ACTIVITY_LABELS,
    ADDABLE_ACTIVITY_TYPES,
    DraftErrors,
    DraftInvalid,
    LessonDraft,
    check_draft,
)
from courseware.authoring.forms import (
    CourseForm,
    EditorGrantForm,
    ImportForm,
    LessonAddForm,
    ModuleForm,
    MoveLessonForm,
    NewCourseForm,
)
from courseware.authoring.policies import AUTHOR_ROLES, can_edit_course
from courseware.content.format import MAX_BODY_LENGTH, MAX_IMAGE_BYTES, InvalidLessonFile
from courseware.content.render import image_base, render_markdown
from courseware.core.confirm import ask_first
from courseware.core.validators import int_param
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.images import services as images
from courseware.models import Course, Lesson, Module, User

bp = Blueprint("author", __name__)


# --- loading, with the policy applied ---------------------------------------------------------


def _course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_edit_course(current_user, course):
        abort(404)
    return course


def _module(module_id: int) -> tuple[Module, Course]:
    module = db.session.get(Module, module_id)
    if module is None:
        abort(404)
    return module, _course(module.course_id)


def _lesson(lesson_id: int) -> tuple[Lesson, Course]:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        abort(404)
    return lesson, _course(lesson.course_id)


def _course_url(course: Course, anchor: str | None = None) -> str:
    return url_for("author.course", course_id=course.id, _anchor=anchor)


# --- courses ------------------------------------------------------------------------------------


@bp.route("/")
@role_required(*AUTHOR_ROLES)
def index():
    """The courses the trainer may edit (owned or granted; all for an admin), and a way to add one."""
    return render_template(
        "authoring/index.html", rows=services.editable_courses(current_user), import_form=ImportForm()
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def new_course():
    """Create a draft course owned by the trainer."""
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = services.create_course(
                current_user, title=form.title.data, summary=form.summary.data, slug=form.slug.data
            )
            services.update_course(
                course,
                title=course.title,
                summary=course.summary,
                status=form.status.data,
                discussion=form.discussion.data,
            )
        except Invalid as exc:
            getattr(form, exc.field or "title").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Course “%(title)s” created. Add its first module below.", title=course.title), "success")
            return redirect(_course_url(course, "add-module"))
    return render_template("authoring/new_course.html", form=form), 422 if form.errors else 200


def _confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def _confirm_archive(course: Course, *, what: str, consequence: str, action: str, back: str, fields=None):
    """The page that asks before archiving ``what``: its Archive button sends the form again,
    confirmed; Cancel goes back without changing anything."""
    fields = fields if fields is not None else {"archived": "1"}
    return render_template(
        "authoring/confirm_archive.html",
        course=course,
        what=what,
        consequence=consequence,
        action=action,
        back=back,
        fields=fields,
    )


def _published_message(course: Course, number: int, *, saved: bool = False) -> str:
    """What publishing revision ``number`` did, true to the course's state: learners see a
    published course's lessons at once, a draft or archived course's only once it is published."""
    if course.status == "published":
        if saved:
            return _("Saved as revision %(number)s and published: learners see it now.", number=number)
        return _("Revision %(number)s published: learners see it now.", number=number)
    if course.status == "draft":
        if saved:
            return _(
                "Saved as revision %(number)s and published. The course is a draft, so learners will see it "
                "once the course is published.",
                number=number,
            )
        return _(
            "Revision %(number)s published. The course is a draft, so learners will see it once the course "
            "is published.",
            number=number,
        )
    if saved:
        return _(
            "Saved as revision %(number)s and published. The course is archived, so learners will see it "
            "once the course is published.",
            number=number,
        )
    return _(
        "Revision %(number)s published. The course is archived, so learners will see it once the course is published.",
        number=number,
    )


def _render_course(course: Course, *, status: int = 200, course_form=None, module_form=None, grant_form=None):
    structure = services.course_structure(course)
    live_modules = [entry.module for entry in structure if entry.module.archived_at is None]
    grant_form = grant_form or EditorGrantForm(formdata=None)
    grant_form.person.choices = [(0, _("Choose a trainer"))] + [
        (t.id, f"{t.name} ({t.email})") for t in services.trainers()
    ]
    return render_template(
        "authoring/course.html",
        course=course,
        structure=structure,
        live_modules=live_modules,
        course_form=course_form or CourseForm(formdata=None, obj=course),
        module_form=module_form or ModuleForm(formdata=None),
        lesson_form=LessonAddForm(formdata=None),
        grant_form=grant_form,
        staff=services.course_staff(course),
        owner=db.session.get(User, course.owner_id) if course.owner_id else None,
    ), status


@bp.route("/courses/<id:course_id>", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def course(course_id: int):
    """A course: its settings, its modules and lessons in order, editors, download."""
    course = _course(course_id)
    form = CourseForm(obj=course)
    if request.method == "POST":
        if form.validate_on_submit():
            if form.status.data == "archived" and course.status != "archived" and not _confirmed():
                return _confirm_archive(
                    course,
                    what=_("the course “%(title)s”", title=course.title),
                    consequence=_(
                        "Its learners will no longer see it. Its lessons, their history and learners' "
                        "records stay, and you can make the course published again at any time."
                    ),
                    action=url_for("author.course", course_id=course.id),
                    back=_course_url(course),
                    fields={
                        "title": form.title.data,
                        "summary": form.summary.data,
                        "status": "archived",
                        **({"discussion": "y"} if form.discussion.data else {}),
                    },
                )
            services.update_course(
                course,
                title=form.title.data,
                summary=form.summary.data,
                status=form.status.data,
                discussion=form.discussion.data,
            )
            db.session.commit()
            flash(_("Course saved."), "success")
            return redirect(_course_url(course))
        return _render_course(course, status=422, course_form=form)
    return _render_course(course)


@bp.route("/courses/<id:course_id>/modules", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def add_module(course_id: int):
    """Add a module at the end of the course."""
    course = _course(course_id)
    form = ModuleForm()
    if not form.validate_on_submit():
        return _render_course(course, status=422, module_form=form)
    module = services.add_module(course, title=form.title.data, optional=form.optional.data)
    db.session.commit()
    flash(_("Module “%(title)s” added.", title=module.title), "success")
    return redirect(_course_url(course, f"module-{module.id}"))


@bp.route("/modules/<id:module_id>", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def update_module(module_id: int):
    """Rename a module, or make it optional or required."""
    module, course = _module(module_id)
    form = ModuleForm(prefix=f"module-{module.id}")
    if form.validate_on_submit():
        services.update_module(module, title=form.title.data, optional=form.optional.data)
        db.session.commit()
        flash(_("Module saved."), "success")
    else:
        flash(_("A module needs a title (at most 200 characters); nothing was changed."), "error")
    return redirect(_course_url(course, f"module-{module.id}"))


@bp.route("/modules/<id:module_id>/move", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def move_module(module_id: int):
    """Move a module up or down one place."""
    module, course = _module(module_id)
    if services.move_module(module, request.form.get("direction", "")):
        db.session.commit()
        if request.form["direction"] == "up":
            flash(_("Module “%(title)s” moved up.", title=module.title), "success")
        else:
            flash(_("Module “%(title)s” moved down.", title=module.title), "success")
    return redirect(_course_url(course, f"module-{module.id}"))


@bp.route("/modules/<id:module_id>/archive", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def archive_module(module_id: int):
    """Archive a module (learners no longer see it or its lessons) or bring it back."""
    module, course = _module(module_id)
    archived = request.form.get("archived") == "1"
    if archived and not _confirmed():
        return _confirm_archive(
            course,
            what=_("the module “%(title)s”", title=module.title),
            consequence=_(
                "Learners will no longer see it or its lessons. Its lessons, their history and "
                "learners' records stay, and you can restore the module at any time."
            ),
            action=url_for("author.archive_module", module_id=module.id),
            back=_course_url(course, f"module-{module.id}"),
        )
    services.set_module_archived(module, archived)
    db.session.commit()
    if archived:
        flash(_("Module “%(title)s” archived.", title=module.title), "success")
    else:
        flash(_("Module “%(title)s” restored.", title=module.title), "success")
    return redirect(_course_url(course, f"module-{module.id}"))


@bp.route("/modules/<id:module_id>/lessons", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def add_lesson(module_id: int):
    """Add a lesson at the end of a module and open it in the editor."""
    module, course = _module(module_id)
    form = LessonAddForm(prefix=f"add-{module.id}")
    if not form.validate_on_submit():
        flash(_("A new lesson needs a title (at most 200 characters)."), "error")
        return redirect(_course_url(course, f"module-{module.id}"))
    lesson = services.add_lesson(module, current_user, title=form.title.data)
    db.session.commit()
    flash(_("Lesson added as a draft. Write it, then publish it."), "success")
    return redirect(url_for("author.edit_lesson", lesson_id=lesson.id))


@bp.route("/lessons/<id:lesson_id>/move", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def move_lesson(lesson_id: int):
    """Move a lesson up or down in its module, or to the end of another module."""
    lesson, course = _lesson(lesson_id)
    if "module" in request.form:
        form = MoveLessonForm()
        form.module.choices = [
            (m.id, m.title) for m in db.session.scalars(select(Module).where(Module.course_id == course.id))
        ]
        if not form.validate_on_submit() or form.module.data is None:
            abort(400, _("Choose a module of this course."))
        target = db.session.get(Module, form.module.data)
        services.move_lesson_to(lesson, target)
        db.session.commit()
        flash(_("Lesson moved to “%(title)s”.", title=target.title), "success")
    elif services.move_lesson(lesson, request.form.get("direction", "")):
        db.session.commit()
        if request.form["direction"] == "up":
            flash(_("Lesson moved up."), "success")
        else:
            flash(_("Lesson moved down."), "success")
    return redirect(_course_url(course, f"lesson-{lesson.id}"))


@bp.route("/lessons/<id:lesson_id>/archive", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def archive_lesson(lesson_id: int):
    """Archive a lesson (learners no longer see it; its history and their records stay) or restore it."""
    lesson, course = _lesson(lesson_id)
    archived = request.form.get("archived") == "1"
    if archived and not _confirmed():
        latest = services.latest_revision(lesson)
        return _confirm_archive(
            course,
            what=_("the lesson “%(title)s”", title=latest.title if latest else lesson.slug),
            consequence=_(
                "Learners will no longer see it. Its revisions and learners' records stay, and you "
                "can restore the lesson at any time."
            ),
            action=url_for("author.archive_lesson", lesson_id=lesson.id),
            back=_course_url(course, f"lesson-{lesson.id}"),
        )
    services.set_lesson_archived(lesson, archived)
    db.session.commit()
    flash(_("Lesson archived.") if archived else _("Lesson restored."), "success")
    return redirect(_course_url(course, f"lesson-{lesson.id}"))


@bp.route("/courses/<id:course_id>/editors", methods=["POST"])
@role_required("admin")
def grant_editor(course_id: int):
    """An admin makes a trainer an editor of the course."""
    course = _course(course_id)
    form = EditorGrantForm()
    form.person.choices = [(0, _("Choose a trainer"))] + [(t.id, t.name) for t in services.trainers()]
    if not form.validate_on_submit() or form.person.data is None:
        form.person.errors = [_("Choose a trainer.")]
        return _render_course(course, status=422, grant_form=form)
    person = db.session.get(User, form.person.data)
    try:
        added = services.grant_editor(course, person, current_user)
    except Invalid as exc:
        form.person.errors = [exc.message]
        return _render_course(course, status=422, grant_form=form)
    db.session.commit()
    if added:
        flash(_("%(name)s can now edit this course.", name=person.name), "success")
    else:
        flash(_("%(name)s could already edit this course.", name=person.name), "success")
    return redirect(_course_url(course, "editors"))


@bp.route("/courses/<id:course_id>/staff/<id:user_id>/<role>/remove", methods=["POST"])
@role_required("admin")
def remove_staff(course_id: int, user_id: int, role: str):
    """An admin withdraws an editor's or reviewer's rights on the course."""
    course = _course(course_id)
    person = db.session.get(User, user_id) or abort(404)
    if role not in ("editor", "reviewer") or services.staff_row(course, person, role) is None:
        abort(404)
    if role == "editor":
        asked = _("Stop %(name)s being an editor of %(course)s?", name=person.name, course=course.title)
    else:
        asked = _("Stop %(name)s being a reviewer of %(course)s?", name=person.name, course=course.title)
    question = ask_first(
        asked,
        _("%(name)s loses the rights this gave them on the course at once.", name=person.name),
        _("Withdraw the rights"),
        _course_url(course, "editors"),
    )
    if question:
        return question
    if not services.revoke_staff(course, person, role):
        abort(404)
    db.session.commit()
    if role == "editor":
        flash(_("%(name)s is no longer an editor of this course.", name=person.name), "success")
    else:
        flash(_("%(name)s is no longer a reviewer of this course.", name=person.name), "success")
    return redirect(_course_url(course, "editors"))


# --- the lesson editor -------------------------------------------------------------------------


def _render_editor(lesson, course, draft: LessonDraft, *, errors=None, preview=None, added=None, status: int = 200):
    published = lesson.published_revision
    latest = services.latest_revision(lesson)
    return render_template(
        "authoring/lesson.html",
        course=course,
        lesson=lesson,
        module=db.session.get(Module, lesson.module_id),
        draft=draft,
        errors=errors or DraftErrors(),
        preview=preview,
        published=published,
        latest=latest,
        activity_types=[(kind, ACTIVITY_LABELS[kind]) for kind in ADDABLE_ACTIVITY_TYPES],
        images=images.images_of(course),
        added=added,
        markdown_line=images.markdown_line,
        max_image_mb=MAX_IMAGE_BYTES // (1024 * 1024),
    ), status


@bp.route("/lessons/<id:lesson_id>/edit", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def edit_lesson(lesson_id: int):
    """The lesson editor: title, minutes, Markdown body with a preview, activities as form rows.

    Row buttons (add a question, a choice...) and Preview send the page back with everything
    kept and nothing stored. Save draft and Publish store a new revision, checked as a lesson
    file would be; problems are shown next to their fields, with the input kept. Upload image
    stores the chosen image with the course and sends the page back with everything kept and
    the line that shows the image.
    """
    lesson, course = _lesson(lesson_id)
    if request.method == "GET":
        latest = services.latest_revision(lesson)
        draft = LessonDraft.from_revision(latest) if latest else LessonDraft(title=lesson.slug)
        return _render_editor(lesson, course, draft)

    draft = LessonDraft.from_form(request.form)
    action = request.form.get("action", "preview")
    if action == "preview":
        _spec, errors = check_draft(draft, lesson.slug)
        # Text too long to save is not rendered either: its error says so, and rendering costs.
        preview = render_markdown(draft.body, image_base(course.slug)) if len(draft.body) <= MAX_BODY_LENGTH else None
        return _render_editor(lesson, course, draft, errors=errors, preview=preview, status=422 if errors else 200)
    if action == "add-image":
        return _add_image(lesson, course, draft)
    if action in ("save", "publish"):
        try:
            result = services.save_lesson(lesson, draft, current_user, publish=action == "publish")
        except DraftInvalid as exc:
            return _render_editor(lesson, course, draft, errors=exc.errors, status=422)
        except services.EditConflict as exc:
            errors = DraftErrors()
            errors.add(None, exc.message)
            draft.base_revision = exc.latest.number  # saving again now replaces theirs, knowingly
            return _render_editor(lesson, course, draft, errors=errors, status=409)
        db.session.commit()
        number = result.revision.number
        if result.created:
            if result.published:
                message = _published_message(course, number, saved=True)
            else:
                message = _(
                    "Saved as revision %(number)s (a draft: learners still see the published version).",
                    number=number,
                )
        elif result.published:
            message = _published_message(course, number)
        else:
            message = _("Nothing had changed, so no new revision was made.")
        flash(message, "success")
        return redirect(url_for("author.edit_lesson", lesson_id=lesson.id))
    if not draft.apply(
        action, new_type=request.form.get("new_activity_type"), used_keys=services.used_activity_keys(lesson)
    ):
        abort(400, _("That button is not known here. Reload the editor and try again."))
    return _render_editor(lesson, course, draft)


def _add_image(lesson, course, draft: LessonDraft):
    """Store the image chosen in the editor with the course; the page comes back with the draft
    as typed, and the image's Markdown line or the reason it was refused beside the field."""
    upload = request.files.get("image")
    errors = DraftErrors()
    if upload is None or not upload.filename:
        errors.add("image", _("Choose an image to upload."))
        return _render_editor(lesson, course, draft, errors=errors, status=422)
    try:
        added = images.add_uploaded_image(course, upload.filename, upload.read(MAX_IMAGE_BYTES + 1))
    except Invalid as exc:
        db.session.rollback()
        errors.add("image", exc.message)
        return _render_editor(lesson, course, draft, errors=errors, status=422)
    db.session.commit()
    return _render_editor(lesson, course, draft, added=added)


# --- revisions --------------------------------------------------------------------------------


@bp.route("/lessons/<id:lesson_id>/revisions")
@role_required(*AUTHOR_ROLES)
def revisions(lesson_id: int):
    """Every revision of a lesson with author and time; compare two; restore or publish one."""
    lesson, course = _lesson(lesson_id)
    rows = services.revisions(lesson)
    authors = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.author_id for r in rows if r.author_id})))
    }
    return render_template("authoring/revisions.html", course=course, lesson=lesson, rows=rows, authors=authors)


@bp.route("/lessons/<id:lesson_id>/diff")
@role_required(*AUTHOR_ROLES)
def diff(lesson_id: int):
    """The lesson file of one revision against another's, line by line."""
    lesson, course = _lesson(lesson_id)
    old = services.revision_of(lesson, int_param("old", 0))
    new = services.revision_of(lesson, int_param("new", 0))
    if old is None or new is None:
        abort(404, _("Choose two revisions of this lesson to compare."))
    if old.number > new.number:
        old, new = new, old
    lines = services.diff_revisions(lesson, old, new)
    return render_template("authoring/diff.html", course=course, lesson=lesson, old=old, new=new, lines=lines)


@bp.route("/lessons/<id:lesson_id>/revisions/<id:revision_id>/restore", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def restore(lesson_id: int, revision_id: int):
    """Copy an old revision into a new draft revision; publishing it stays a separate step."""
    lesson, _course_ = _lesson(lesson_id)
    old = services.revision_of(lesson, revision_id) or abort(404)
    revision = services.restore_revision(lesson, old, current_user)
    db.session.commit()
    flash(
        _(
            "Revision %(old)s restored as revision %(new)s, a draft. Publish it when ready.",
            old=old.number,
            new=revision.number,
        ),
        "success",
    )
    return redirect(url_for("author.revisions", lesson_id=lesson.id))


@bp.route("/lessons/<id:lesson_id>/revisions/<id:revision_id>/publish", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def publish(lesson_id: int, revision_id: int):
    """Make a revision what learners see; their progress and quiz attempts are untouched."""
    lesson, course = _lesson(lesson_id)
    revision = services.revision_of(lesson, revision_id) or abort(404)
    services.publish_revision(lesson, revision)
    db.session.commit()
    flash(_published_message(course, revision.number), "success")
    return redirect(url_for("author.revisions", lesson_id=lesson.id))


# --- zips -------------------------------------------------------------------------------------


@bp.route("/courses/<id:course_id>/export.zip")
@role_required(*AUTHOR_ROLES)
def export_zip(course_id: int):
    """The course's published lessons as a zip in the lessons/ format."""
    course = _course(course_id)
    name, data = archive.course_zip(course)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def import_zip():
    """Upload a zip of course folders; it is checked like ``flask lessons import`` and imported whole."""
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.archive.data
        try:
            result = archive.import_zip(upload.read(), upload.filename, current_user, can_edit_course)
        except InvalidLessonFile as exc:
            db.session.rollback()
            count = len(exc.problems)
            form.archive.errors.append(
                ngettext(
                    "Nothing was imported; fix this problem and upload the zip again.",
                    "Nothing was imported; fix these %(num)d problems and upload the zip again.",
                    count,
                )
            )
            problems = [str(problem) for problem in exc.problems]
        except (archive.UnsafeZip, NotAllowed) as exc:
            db.session.rollback()
            form.archive.errors.append(exc.message)
        else:
            db.session.commit()
            flash(result.result.summary(), "success")
            for course in result.new_courses:
                flash(
                    _("“%(title)s” is new and starts as a draft: publish it from its page.", title=course.title), "info"
                )
            if len(result.result.courses) == 1:
                return redirect(_course_url(result.result.courses[0]))
            return redirect(url_for("author.index"))
    return render_template("authoring/import.html", form=form, problems=problems), 422 if form.errors else 200
