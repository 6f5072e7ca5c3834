"""The editor's translations (``/author/.../translations/<language>``): a lesson's translation
beside its original, and the course's title, summary and module titles in other languages.

A lesson's translation is edited as its file (``NN-slug.<language>.md``: title, activities,
body) and checked as the file would be, against the published original: only the texts may
differ. A translation made from an earlier revision of the original is marked "needs updating"
here until it is saved again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.auth.policies import role_required
from courseware.authoring.policies import AUTHOR_ROLES, can_edit_course
from courseware.authoring.services import revision_text
from courseware.content import translations
from courseware.content.format import MAX_TITLE_LENGTH, InvalidLessonFile, language_problem
from courseware.core.validators import CheckedForm
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import LANGUAGES
from courseware.i18n import lazy_gettext as _l
from courseware.models import Course, Lesson, Module

bp = Blueprint("translations", __name__)

# Each language's name in the language of the page.
LANGUAGE_NAMES = {"en": _l("English"), "es": _l("Spanish"), "fr": _l("French")}
# A translation file is at most a lesson's body and its activities; a bound on what is read.
MAX_TRANSLATION_LENGTH = 200_000


class TranslationForm(CheckedForm):
    text = TextAreaField(
        _l("The translation"),
        validators=[
            DataRequired(_l("Write the translation, or go back to the lesson.")),
            Length(max=MAX_TRANSLATION_LENGTH),
        ],
        render_kw={"rows": 30, "class": "code"},
    )


class CourseTranslationForm(CheckedForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the course's title.")), Length(max=MAX_TITLE_LENGTH)]
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(_l("Say in a sentence or two what the course is for.")), Length(max=2000)],
    )


def language_name(language: str) -> str:
    return str(LANGUAGE_NAMES.get(language, language))


def other_languages(course: Course) -> list[str]:
    """The languages the course may be translated into: the site's, less its own."""
    return [language for language in LANGUAGES if language != translations.course_language(course)]


@bp.app_context_processor
def _translation_helpers():
    return {
        "lesson_translation_states": lesson_translation_states,
        "language_name": language_name,
        "course_languages": other_languages,
        "translations_to_update": translations_to_update,
    }


def translations_to_update(course: Course) -> dict[int, list[str]]:
    """The languages of each of the course's lessons whose translation needs updating, read once
    per request."""
    memo = g.setdefault("translations_to_update", {})
    if course.id not in memo:
        memo[course.id] = translations.translations_needing_update(course)
    return memo[course.id]


def lesson_translation_states(lesson: Lesson, course: Course) -> list[dict]:
    """For the editor: each language the lesson may be translated into, with its state
    (``missing``, ``current`` or ``needs-updating``)."""
    found = translations.lesson_translations(lesson)
    states = []
    for language in other_languages(course):
        translation = found.get(language)
        if translation is None:
            state = "missing"
        elif translations.needs_updating(translation, lesson):
            state = "needs-updating"
        else:
            state = "current"
        states.append({"language": language, "name": language_name(language), "state": state})
    return states


def _lesson(lesson_id: int, language: str) -> tuple[Lesson, Course]:
    lesson = db.session.get(Lesson, lesson_id)
    course = db.session.get(Course, lesson.course_id) if lesson is not None else None
    if course is None or not can_edit_course(current_user, course):
        abort(404)
    if language_problem(language, translations.course_language(course)) is not None:
        abort(404)
    return lesson, course


def _course(course_id: int, language: str) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_edit_course(current_user, course):
        abort(404)
    if language_problem(language, translations.course_language(course)) is not None:
        abort(404)
    return course


def _render_lesson(lesson, course, language, form, *, problems=(), status=200):
    translation = translations.translation_of(lesson, language)
    return render_template(
        "authoring/translation.html",
        course=course,
        lesson=lesson,
        module=db.session.get(Module, lesson.module_id),
        language=language,
        name=language_name(language),
        translation=translation,
        needs_updating=translation is not None and translations.needs_updating(translation, lesson),
        original=revision_text(lesson, lesson.published_revision),
        published=lesson.published_revision,
        form=form,
        problems=problems,
    ), status


@bp.route("/lessons/<id:lesson_id>/translations/<language>", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def lesson(lesson_id: int, language: str):
    """A lesson's translation into ``language``, edited as its file beside the published original.

    A new translation starts from the original's texts. Saving checks the file as ``lessons
    import`` would, against the original (the activities may differ only in their texts), and
    brings the translation in step with the original; problems are listed with their lines and
    the text is kept. 404 for a course the trainer may not edit or a language it cannot have.
    """
    lesson, course = _lesson(lesson_id, language)
    if lesson.published_revision is None:
        flash(_("Publish the lesson before translating it."), "error")
        return redirect(url_for("author.edit_lesson", lesson_id=lesson.id))
    if request.method == "GET":
        form = TranslationForm(formdata=None, data={"text": translations.translation_text(lesson, language)})
        return _render_lesson(lesson, course, language, form)
    form = TranslationForm()
    if not form.validate():
        return _render_lesson(lesson, course, language, form, status=422)
    try:
        translations.save_translation_text(lesson, language, form.text.data, current_user)
    except InvalidLessonFile as exc:
        db.session.rollback()
        return _render_lesson(lesson, course, language, form, problems=[str(p) for p in exc.problems], status=422)
    except Invalid as exc:
        db.session.rollback()
        return _render_lesson(lesson, course, language, form, problems=[exc.message], status=422)
    db.session.commit()
    flash(_("Saved the translation into %(language)s.", language=language_name(language)), "success")
    return redirect(url_for("translations.lesson", lesson_id=lesson.id, language=language))


@bp.route("/lessons/<id:lesson_id>/translations/<language>/remove", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def remove(lesson_id: int, language: str):
    """Remove the lesson's translation into ``language``: learners then read the original."""
    lesson, _course_ = _lesson(lesson_id, language)
    removed = translations.remove_translation(lesson, language)
    db.session.commit()
    if removed:
        flash(_("Removed the translation into %(language)s.", language=language_name(language)), "success")
    return redirect(url_for("author.edit_lesson", lesson_id=lesson.id))


def _modules(course: Course) -> list[Module]:
    return [module for module in course.modules if module.archived_at is None]


@bp.route("/courses/<id:course_id>/translations/<language>", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def course(course_id: int, language: str):
    """The course's title, summary and module titles in ``language`` (a module title left empty
    shows the module's own). 404 for a course the trainer may not edit or a language it cannot have."""
    course = _course(course_id, language)
    modules = _modules(course)
    current = translations.course_translations(course).get(language)
    if request.method == "GET":
        form = CourseTranslationForm(
            formdata=None, data={"title": current.title, "summary": current.summary} if current else None
        )
        titles = dict(current.modules) if current else {}
        return _render_course(course, language, form, modules, titles, {})
    form = CourseTranslationForm()
    titles = {module.slug: (request.form.get(f"module-{module.slug}") or "").strip() for module in modules}
    errors = {
        slug: _("At most %(count)s characters fit.", count=MAX_TITLE_LENGTH)
        for slug, text in titles.items()
        if len(text) > MAX_TITLE_LENGTH
    }
    if not form.validate() or errors:
        return _render_course(course, language, form, modules, titles, errors, status=422)
    translations.save_course_translation(
        course, language, title=form.title.data, summary=form.summary.data, modules=titles
    )
    db.session.commit()
    flash(_("Saved the course's titles in %(language)s.", language=language_name(language)), "success")
    return redirect(url_for("translations.course", course_id=course.id, language=language))


def _render_course(course, language, form, modules, titles, errors, *, status=200):
    return render_template(
        "authoring/course_translation.html",
        course=course,
        language=language,
        name=language_name(language),
        form=form,
        modules=modules,
        titles=titles,
        errors=errors,
    ), status
