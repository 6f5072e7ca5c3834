"""SCORM packages: uploading one in the editor, serving its files, and the runtime a learner
plays a package lesson in (``/learn/<course>/<lesson>/package``), whose commits come back as JSON.

Package files are served from their own path, ``/packages/<id>/files/<path>``, under a sandboxing
Content-Security-Policy that lets the package run its own (inline) scripts there and nowhere
else. They share Courseware's origin: see the README's "SCORM packages" for what that means.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from wtforms.validators import ValidationError

from courseware.auth.policies import role_required
from courseware.authoring.archive import UnsafeZip
from courseware.authoring.policies import AUTHOR_ROLES, can_edit_course
from courseware.evidence.uploads import accepts_upload_up_to
from courseware.exceptions import Invalid, NotAllowed, NotOpenYet
from courseware.extensions import csrf, db
from courseware.learn.course_map import lesson_for_learner
from courseware.learn.enrollment import course_for_learner
from courseware.models import Course, Module, Package, User
from courseware.packages import content_origin, services
from courseware.packages.forms import NEW_MODULE, PackageForm
from courseware.packages.manifests import InvalidPackage
from courseware.packages.policies import can_see_package

log = logging.getLogger(__name__)
bp = Blueprint("packages", __name__)

# A package's files: its own scripts (inline ones too, which authoring tools write), styles and
# media from the same place, in a sandbox, framed only by Courseware's own pages.
PACKAGE_POLICY = "; ".join(
    [
        "sandbox allow-scripts allow-forms allow-same-origin allow-popups",
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
# The runtime page: Courseware's own scripts only, framed by the lesson page, framing the package.
RUNTIME_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
# The runtime page on the content origin: framed only by the lesson page's origin; it needs no
# requests of its own (commits go up by postMessage).
CONTENT_RUNTIME_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'none'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors {parent}",
    ]
)
MAX_COMMIT_BYTES = 512 * 1024


# --- uploading ---------------------------------------------------------------------------------


def _editable(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_edit_course(current_user, course):
        abort(404)
    return course


def _module_choices(course: Course) -> list[tuple[str, str]]:
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == course.id, Module.archived_at.is_(None))
        .order_by(Module.position, Module.id)
    ).all()
    return [(str(module.id), module.title) for module in modules] + [(NEW_MODULE, _("A new module"))]


@bp.route("/author/courses/<id:course_id>/packages", methods=["GET", "POST"])
@accepts_upload_up_to("PACKAGE_MAX_BYTES")
@role_required(*AUTHOR_ROLES)
def add_package(course_id: int):
    """Upload a SCORM package into the course: one lesson per SCO, in a module the trainer
    chooses or a new one. A package with problems is refused whole, each problem named."""
    course = _editable(course_id)
    form = PackageForm()
    form.module.choices = _module_choices(course)
    problems: list[str] = []
    if form.validate_on_submit():
        module = None
        if form.module.data != NEW_MODULE:
            module = db.session.get(Module, int(form.module.data))
        upload = form.package.data
        try:
            result = services.import_package(
                course,
                upload.read(),
                (upload.filename or "").rsplit("/", 1)[-1],
                current_user._get_current_object(),
                module=module,
                new_module_title=form.new_module.data,
            )
        except InvalidPackage as exc:
            db.session.rollback()
            form.package.errors.append(_("Nothing was imported; fix the package and upload it again."))
            problems = [str(problem) for problem in exc.problems]
        except (UnsafeZip, Invalid) as exc:
            db.session.rollback()
            form.package.errors.append(exc.message)
        else:
            db.session.commit()
            flash(result.summary(), "success")
            if result.package.format == "cmi5":
                return redirect(url_for("cmi5.package_page", course_id=course.id, package_id=result.package.id))
            return redirect(url_for("author.course", course_id=course.id))
    status = 422 if form.errors else 200
    return render_template("packages/add.html", course=course, form=form, problems=problems), status


# --- serving ------------------------------------------------------------------------------------


@bp.route("/packages/<id:package_id>/files/<path:path>")
@role_required()
def package_file(package_id: int, path: str):
    """A file of the package, to the people who may see its lessons (404 to anyone else)."""
    package = db.session.get(Package, package_id)
    if package is None or not can_see_package(current_user, package):
        abort(404)
    return _file_response(package, path)


def _file_response(package: Package, path: str) -> Response:
    found = services.package_file(package, path)
    if found is None:
        abort(404)
    data, content_type = found
    response = Response(data, content_type=content_type)
    response.headers["Content-Security-Policy"] = PACKAGE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- playing ------------------------------------------------------------------------------------


def _learner_lesson(course_slug: str, lesson_slug: str, me: User | None = None):
    """The course, the learner's lesson (open to them), its package activity, package and unit; 404
    for anyone who may not play it, 403 while the lesson is not open yet."""
    me = me or current_user._get_current_object()
    try:
        course, _ = course_for_learner(me, course_slug)
        lesson, _ = lesson_for_learner(me, course, lesson_slug)
    except NotOpenYet as exc:
        abort(403, exc.message)
    except NotAllowed:
        abort(404)
    activity = services.find_package_activity(lesson)
    found = services.package_for(course.id, activity) if activity is not None else None
    if found is None:
        abort(404)
    package, unit = found
    return course, lesson, activity, package, unit


def launch_cmi(user: User, package: Package, unit: dict, state) -> dict:
    """The CMI data the SCO starts with: who the learner is, and what they committed last time."""
    if package.format == "scorm12":
        cmi = {"cmi.core.student_id": str(user.id), "cmi.core.student_name": user.name}
        if state is not None:
            cmi["cmi.core.entry"] = "resume" if state.suspend_data or state.lesson_location else ""
            cmi["cmi.core.lesson_location"] = state.lesson_location
            cmi["cmi.suspend_data"] = state.suspend_data
            cmi["cmi.core.lesson_status"] = state.cmi.get("cmi.core.lesson_status") or "not attempted"
            for part in ("raw", "min", "max"):
                if state.cmi.get(f"cmi.core.score.{part}") not in (None, ""):
                    cmi[f"cmi.core.score.{part}"] = str(state.cmi[f"cmi.core.score.{part}"])
        return cmi
    cmi = {"cmi.learner_id": str(user.id), "cmi.learner_name": user.name}
    if state is not None:
        cmi["cmi.entry"] = "resume" if state.suspend_data or state.lesson_location else ""
        cmi["cmi.location"] = state.lesson_location
        cmi["cmi.suspend_data"] = state.suspend_data
        for key in ("cmi.completion_status", "cmi.success_status", "cmi.score.scaled", "cmi.score.raw"):
            if state.cmi.get(key) not in (None, ""):
                cmi[key] = str(state.cmi[key])
    return cmi


def _launch_address(files_at: str, launch: str) -> str:
    """The SCO's launch file under ``files_at``, its query string kept."""
    path, _, query = launch.partition("?")
    return files_at + path + ("?" + query if query else "")


def _runtime_page(me: User, course, lesson, package: Package, unit: dict, *, launch: str, **connection):
    """The runtime page: the SCORM API started with the learner's last commit, framing the SCO.
    ``connection`` says where commits go: ``commit`` (a URL on this origin) or ``parent_origin``
    (the lesson page's origin, by ``postMessage``)."""
    settings = {
        "version": "1.2" if package.format == "scorm12" else "2004",
        "launch": launch,
        "lesson": connection.get("parent_origin", "")
        + url_for("learn.lesson", course_slug=course.slug, lesson_slug=lesson.slug),
        "cmi": launch_cmi(me, package, unit, services.runtime_state(me, lesson.id)),
        "launchData": unit.get("launch_data"),
        "masteryScore": unit.get("mastery_score"),
        "commit": connection.get("commit"),
        "parentOrigin": connection.get("parent_origin"),
        "messages": {"saved": _("Your progress in this part is saved."), "back": _("Back to the lesson")},
    }
    return Response(
        render_template("packages/runtime.html", lesson_title=unit["title"], settings=settings, package=package)
    )


@bp.route("/learn/<course_slug>/<lesson_slug>/package")
@role_required()
def runtime(course_slug: str, lesson_slug: str):
    """The page a package lesson frames: it holds the SCORM API (scorm-again) the SCO finds
    through ``window.parent``, starts it with the learner's last commit, and frames the SCO."""
    course, lesson, activity, package, unit = _learner_lesson(course_slug, lesson_slug)
    files_at = url_for("packages.package_file", package_id=package.id, path="x")[:-1]
    response = _runtime_page(
        current_user._get_current_object(),
        course,
        lesson,
        package,
        unit,
        launch=_launch_address(files_at, unit["launch"]),
        commit=url_for("packages.commit", course_slug=course.slug, lesson_slug=lesson.slug),
    )
    response.headers["Content-Security-Policy"] = RUNTIME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


# --- on the content origin (``COURSEWARE_CONTENT_ORIGIN``) ------------------------------------------


def _ticket_holder(ticket: str):
    """The learner a ticket names and their lesson, checked again as on their own origin."""
    data = content_origin.read_ticket(ticket)
    me = db.session.get(User, data["u"])
    if me is None or not me.is_active:
        abort(404)
    course, lesson, activity, package, unit = _learner_lesson(data["c"], data["s"], me)
    if lesson.id != data["l"] or package.id != data["p"]:
        abort(404)
    return data, me, course, lesson, package, unit


@bp.route("/content/<ticket>/runtime")
def content_runtime(ticket: str):
    """The runtime page on the content origin, framed only by the lesson page's origin, handing
    commits to it by ``postMessage``."""
    data, me, course, lesson, package, unit = _ticket_holder(ticket)
    files_at = url_for("packages.content_file", ticket=ticket, path="x")[:-1]
    response = _runtime_page(
        me, course, lesson, package, unit, launch=_launch_address(files_at, unit["launch"]), parent_origin=data["o"]
    )
    response.headers["Content-Security-Policy"] = CONTENT_RUNTIME_POLICY.format(parent=data["o"])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/content/<ticket>/files/<path:path>")
def content_file(ticket: str, path: str):
    """A file of the package on the content origin, to the holder of a ticket for it."""
    data, me, course, lesson, package, unit = _ticket_holder(ticket)
    response = _file_response(package, path)
    # Framed by the runtime on this origin, itself framed by the lesson page: every ancestor counts.
    response.headers["Content-Security-Policy"] = PACKAGE_POLICY.replace(
        "frame-ancestors 'self'", f"frame-ancestors 'self' {data['o']}"
    )
    del response.headers["X-Frame-Options"]
    return response


def _json_error(status: int, message: str):
    return jsonify(result="false", errorCode=101, error=message), status


@bp.route("/learn/<course_slug>/<lesson_slug>/package/commit", methods=["POST"])
@csrf.exempt
@db.reads_first
@role_required()
def commit(course_slug: str, lesson_slug: str):
    """Save the CMI data the learner's SCO committed (``{"csrf_token": ..., "cmi": {...}}``, its
    keys flattened: ``cmi.core.lesson_status``), and what it says of their progress. The CSRF
    token comes in the ``X-CSRFToken`` header or, from a page being closed (``sendBeacon``,
    which cannot set headers), in the body. Answers scorm-again's ``{"result": "true"}``."""
    course, lesson, activity, package, _unit = _learner_lesson(course_slug, lesson_slug)
    if request.content_length is not None and request.content_length > MAX_COMMIT_BYTES:
        return _json_error(413, _("The commit is too large."))
    try:
        body = json.loads(request.get_data(cache=False, as_text=True) or "null")
    except ValueError:
        return _json_error(400, _("Send the CMI data as JSON."))
    if not isinstance(body, dict):
        return _json_error(400, _("Send the CMI data as a JSON object."))
    try:
        validate_csrf(request.headers.get("X-CSRFToken") or body.get("csrf_token"))
    except ValidationError:
        return _json_error(400, _("The page's session has expired; reload the lesson."))
    with db.writing():
        try:
            services.save_commit(
                current_user._get_current_object(), lesson, course.id, package, activity, body.get("cmi")
            )
        except NotAllowed:
            db.session.rollback()
            abort(404)
        except Invalid as exc:
            db.session.rollback()
            return _json_error(400, exc.message)
        db.session.commit()
    return jsonify(result="true", errorCode=0)
