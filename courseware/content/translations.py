"""Courses in several languages: lessons' translations, kept beside the original, and what a
learner is shown in their language.

A translation belongs to a lesson and one language and remembers the revision of the original
it was made from. When the lesson's published revision is another one, the translation "needs
updating": trainers see it in the editor, learners still read the translation. A translation's
activities only ever lend their texts: types, keys, correct choices and pass marks are always
the original's (:func:`~courseware.content.format.translated_activities`), so answers are
checked against the original and progress belongs to the lesson, whatever its language.

Services flush and never commit; the view or CLI command that calls them commits once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from courseware.content.format import (
    DEFAULT_COURSE_LANGUAGE,
    CourseTranslation,
    LessonSpec,
    TranslationSpec,
    dump_translation,
    parse_translation_text,
    translated_activities,
)
from courseware.content.published import PublishedRevision
from courseware.content.render import image_base, render_markdown
from courseware.core.caching import content_cache, freeze
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Course, Lesson, LessonRevision, LessonTranslation, User

log = logging.getLogger(__name__)


# --- trainers: the translations of a lesson ---------------------------------------------------


def course_language(course: Course) -> str:
    return course.language or DEFAULT_COURSE_LANGUAGE


def lesson_translations(lesson: Lesson) -> dict[str, LessonTranslation]:
    """The lesson's translations, by language in language order."""
    rows = db.session.scalars(
        select(LessonTranslation).where(LessonTranslation.lesson_id == lesson.id).order_by(LessonTranslation.language)
    ).all()
    return {row.language: row for row in rows}


def translation_of(lesson: Lesson, language: str) -> LessonTranslation | None:
    return db.session.scalars(
        select(LessonTranslation).where(
            LessonTranslation.lesson_id == lesson.id, LessonTranslation.language == language
        )
    ).first()


def needs_updating(translation: LessonTranslation, lesson: Lesson) -> bool:
    """Whether the original has had another revision published since the translation was made."""
    return translation.revision_id != lesson.published_revision_id


def translations_needing_update(course: Course) -> dict[int, list[str]]:
    """Lesson id -> the languages whose translation was made from another revision than the
    lesson's published one, for the course's lessons (one query)."""
    rows = db.session.execute(
        select(LessonTranslation.lesson_id, LessonTranslation.language)
        .join(Lesson, Lesson.id == LessonTranslation.lesson_id)
        .where(
            Lesson.course_id == course.id,
            (LessonTranslation.revision_id.is_(None)) | (LessonTranslation.revision_id != Lesson.published_revision_id),
        )
        .order_by(LessonTranslation.lesson_id, LessonTranslation.language)
    ).all()
    found: dict[int, list[str]] = {}
    for lesson_id, language in rows:
        found.setdefault(lesson_id, []).append(language)
    return found


def original_spec(lesson: Lesson, revision: LessonRevision) -> LessonSpec:
    return LessonSpec(
        slug=lesson.slug,
        title=revision.title,
        minutes=revision.minutes,
        body=revision.body,
        activities=revision.activities or [],
        discussion=revision.discussion,
    )


def translation_spec(lesson: Lesson, translation: LessonTranslation) -> TranslationSpec:
    """The translation as the files hold it; its activities follow the published original's
    values, so that what is written out always reads back beside the original."""
    original = lesson.published_revision.activities if lesson.published_revision is not None else []
    return TranslationSpec(
        language=translation.language,
        title=translation.title,
        body=translation.body,
        activities=translated_activities(original or [], translation.activities or []),
    )


def translation_text(lesson: Lesson, language: str) -> str:
    """The translation's file text; for a lesson not yet translated, the original's texts laid
    out as a translation, ready to be translated in place."""
    revision = lesson.published_revision
    original = original_spec(lesson, revision)
    translation = translation_of(lesson, language)
    if translation is None:
        return dump_translation(
            original,
            TranslationSpec(language, original.title, original.body, original.activities),
        )
    return dump_translation(original, translation_spec(lesson, translation))


def _hash(original: LessonSpec, spec: TranslationSpec) -> str:
    return hashlib.sha256(dump_translation(original, spec).encode("utf-8")).hexdigest()


def _touch_course(lesson: Lesson) -> None:
    """Move the course's ``updated_at``: learners' outlines and titles are kept under it."""
    course = db.session.get(Course, lesson.course_id)
    if course is not None:
        course.updated_at = utcnow()


def store_translation(
    lesson: Lesson, spec: TranslationSpec, author: User | None, *, in_step: bool = True
) -> tuple[LessonTranslation, bool]:
    """Create or replace the lesson's translation into ``spec.language``; return it and whether
    it changed. A changed (or new) translation is in step with the published original; an
    unchanged one keeps the revision it was made from, unless ``in_step`` says otherwise."""
    revision = lesson.published_revision
    original = original_spec(lesson, revision)
    digest = _hash(original, spec)
    translation = translation_of(lesson, spec.language)
    if translation is not None and translation.content_hash == digest:
        return translation, False
    course_slug = db.session.scalar(select(Course.slug).where(Course.id == lesson.course_id))
    if translation is None:
        translation = LessonTranslation(lesson_id=lesson.id, language=spec.language)
        db.session.add(translation)
    translation.title = spec.title
    translation.body = spec.body
    translation.body_html = str(render_markdown(spec.body, image_base(course_slug)))
    translation.activities = spec.activities
    translation.content_hash = digest
    translation.author_id = author.id if author is not None else None
    translation.updated_at = utcnow()
    if in_step:
        translation.revision_id = revision.id
    _touch_course(lesson)
    db.session.flush()
    log.info("Lesson %s: translation into %s saved", lesson.slug, spec.language)
    return translation, True


def save_translation_text(lesson: Lesson, language: str, text: str, author: User) -> LessonTranslation:
    """Check ``text`` as the lesson's translation file into ``language`` and store it, in step
    with the published original. Raises :class:`InvalidLessonFile` as a file would, and
    :class:`Invalid` when the lesson has nothing published to translate or the language is the course's."""
    from courseware.content.format import language_problem

    revision = lesson.published_revision
    if revision is None:
        raise Invalid(_("Publish the lesson before translating it."))
    course = db.session.get(Course, lesson.course_id)
    if language_problem(language, course_language(course)) is not None:
        raise Invalid(_("Choose another language for this translation."))
    spec = parse_translation_text(
        text.lstrip("\r\n"),  # a text area's first line break is not part of the text
        original=original_spec(lesson, revision),
        language=language,
        source_path=f"{lesson.slug}.{language}.md",
        original_name=f"{lesson.slug}.md",
    )
    translation, changed = store_translation(lesson, spec, author)
    if not changed and translation.revision_id != revision.id:
        # Saved again unchanged: the trainer has checked it against the current original.
        translation.revision_id = revision.id
        translation.updated_at = utcnow()
        _touch_course(lesson)
        db.session.flush()
    return translation


def remove_translation(lesson: Lesson, language: str) -> bool:
    """Delete the lesson's translation into ``language``; whether there was one."""
    translation = translation_of(lesson, language)
    if translation is None:
        return False
    db.session.delete(translation)
    _touch_course(lesson)
    db.session.flush()
    log.info("Lesson %s: translation into %s removed", lesson.slug, language)
    return True


def import_translations(lesson: Lesson, spec: LessonSpec, author: User | None) -> None:
    """Bring the lesson's translations in line with ``spec``'s (read from the files).

    A translation new or changed in the files is in step with the original it was imported with;
    an unchanged one keeps its state, so an original changed on its own makes its unchanged
    translations need updating. Translations gone from the files are removed.
    """
    for translation in spec.translations.values():
        store_translation(lesson, translation, author)
    for language in lesson_translations(lesson):
        if language not in spec.translations:
            remove_translation(lesson, language)


# --- courses' titles in other languages -------------------------------------------------------


def course_translations(course: Course) -> dict[str, CourseTranslation]:
    """The course's title, summary and module titles by language, as course.yaml holds them."""
    return {
        language: CourseTranslation(entry["title"], entry["summary"], dict(entry.get("modules") or {}))
        for language, entry in sorted((course.translations or {}).items())
    }


def set_course_translations(course: Course, translations: dict[str, CourseTranslation]) -> None:
    course.translations = {
        language: {"title": entry.title, "summary": entry.summary, "modules": dict(entry.modules)}
        for language, entry in sorted(translations.items())
    }


def save_course_translation(
    course: Course, language: str, *, title: str, summary: str, modules: dict[str, str]
) -> None:
    """Set the course's title, summary and module titles (empty ones left out) in ``language``."""
    from courseware.content.format import language_problem

    if language_problem(language, course_language(course)) is not None:
        raise Invalid(_("Choose another language for this translation."))
    translations = course_translations(course)
    translations[language] = CourseTranslation(
        title.strip(), summary.strip(), {slug: text.strip() for slug, text in modules.items() if text.strip()}
    )
    set_course_translations(course, translations)
    db.session.flush()


# --- learners: the course and lesson in their language ----------------------------------------


@dataclass(frozen=True)
class CourseInLanguage:
    """A course as a learner's page shows it: its title and summary in the page's language,
    everything else the course's own."""

    course: Course
    title: str
    summary: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.course, name)


def shown_language(course: Course, language: str) -> str | None:
    """``language`` when it is not the course's own, else None (the original is shown)."""
    return None if language == course_language(course) else language


def course_in(course: Course, language: str) -> Course | CourseInLanguage:
    """The course with its title and summary in ``language`` where it has them."""
    entry = (course.translations or {}).get(language) if shown_language(course, language) else None
    if not entry:
        return course
    return CourseInLanguage(course, entry.get("title") or course.title, entry.get("summary") or course.summary)


def module_titles(course: Course, language: str) -> dict[str, str]:
    """Module titles in ``language`` by module slug (the ones translated)."""
    entry = (course.translations or {}).get(language) if shown_language(course, language) else None
    return dict((entry or {}).get("modules") or {})


def _translation_index(course_id: int) -> dict[tuple[int, str], tuple[int, dt.datetime, str]]:
    rows = db.session.execute(
        select(
            LessonTranslation.lesson_id,
            LessonTranslation.language,
            LessonTranslation.id,
            LessonTranslation.updated_at,
            LessonTranslation.title,
        )
        .join(Lesson, Lesson.id == LessonTranslation.lesson_id)
        .where(Lesson.course_id == course_id)
    ).all()
    return {(lesson_id, language): (id_, updated, title) for lesson_id, language, id_, updated, title in rows}


def translation_index(course: Course) -> dict[tuple[int, str], tuple[int, dt.datetime, str]]:
    """(lesson id, language) -> (translation id, updated at, title) for the course's translations,
    kept under the course's version (every change to a translation moves it)."""
    return content_cache().get_or_make(
        ("translations", course.id, course.updated_at), lambda: _translation_index(course.id)
    )


def lesson_titles(course: Course, language: str) -> dict[int, str]:
    """The titles of the course's translated lessons in ``language``, by lesson id."""
    if shown_language(course, language) is None:
        return {}
    return {
        lesson_id: title for (lesson_id, lang), (_, _, title) in translation_index(course).items() if lang == language
    }


def revision_in(course: Course, lesson_id: int, revision: PublishedRevision, language: str) -> PublishedRevision:
    """The published revision as a learner reading ``language`` sees it: the translation's title,
    body and texts over the original's activities when there is a translation, else the original."""
    if shown_language(course, language) is None:
        return revision
    found = translation_index(course).get((lesson_id, language))
    if found is None:
        return revision
    translation_id, updated_at, _ = found
    return content_cache().get_or_make(
        ("translated", translation_id, updated_at, revision.id),
        lambda: _load_translated(translation_id, revision, updated_at),
    )


def _load_translated(translation_id: int, revision: PublishedRevision, updated_at) -> PublishedRevision:
    title, body, body_html, activities, original = db.session.execute(
        select(
            LessonTranslation.title,
            LessonTranslation.body,
            LessonTranslation.body_html,
            LessonTranslation.activities,
            LessonRevision.activities,
        )
        .join(Lesson, Lesson.id == LessonTranslation.lesson_id)
        .join(LessonRevision, LessonRevision.id == revision.id)
        .where(LessonTranslation.id == translation_id)
    ).one()
    html = Markup(body_html) if body_html is not None else Markup(render_markdown(body))
    shown = translated_activities(original or [], activities or [])
    return PublishedRevision(
        revision.id,
        title,
        revision.minutes,
        freeze(shown),
        html,
        revision.discussion,
        version=(translation_id, updated_at.isoformat()),
    )
