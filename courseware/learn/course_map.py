"""The course map: a learner's modules and lessons with the state of each, and which are open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from courseware.content import translations
from courseware.content.published import PublishedLesson, course_outlines
from courseware.core.numbers import percent
from courseware.exceptions import NotAllowed, NotOpenYet
from courseware.extensions import db
from courseware.i18n import select_locale
from courseware.models import Course, Enrollment, LessonProgress, User


@dataclass(slots=True)
class LessonItem:
    id: int
    slug: str
    title: str
    minutes: int
    module_id: int
    required: bool
    course_id: int = 0
    revision_id: int = 0
    status: str = "not_started"
    locked: bool = False
    number: int = 0

    @property
    def state(self) -> str:
        """What the learner sees: done, waiting for review, in progress, locked or to do."""
        if self.status == "completed":
            return "done"
        if self.status == "awaiting_review":
            return "waiting"
        if self.locked:
            return "locked"
        if self.status == "in_progress":
            return "in progress"
        return "to do"


@dataclass(slots=True)
class ModuleItem:
    id: int
    slug: str
    title: str
    optional: bool
    lessons: list[LessonItem] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.status == "completed")


@dataclass
class CourseMap:
    course: Course
    modules: list[ModuleItem]

    @property
    def lessons(self) -> list[LessonItem]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def required(self) -> list[LessonItem]:
        return [lesson for lesson in self.lessons if lesson.required]

    @property
    def percent(self) -> int:
        required = self.required
        return percent(sum(1 for lesson in required if lesson.status == "completed"), len(required))

    @property
    def next_lesson(self) -> LessonItem | None:
        """The first lesson the learner can work on now: unlocked and neither done nor waiting."""
        for lesson in self.lessons:
            if not lesson.locked and lesson.status in ("not_started", "in_progress"):
                return lesson
        return None

    def find(self, slug: str) -> LessonItem | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[LessonItem | None, LessonItem | None]:
        lessons = self.lessons
        for index, lesson in enumerate(lessons):
            if lesson.slug == slug:
                return (lessons[index - 1] if index else None, lessons[index + 1] if index + 1 < len(lessons) else None)
        return None, None


_PROGRESS_BY_LESSON = select(LessonProgress.lesson_id, LessonProgress.status).where(
    LessonProgress.user_id == bindparam("user_id"),
    LessonProgress.lesson_id.in_(bindparam("lesson_ids", expanding=True)),
)


def progress_by_lesson(user_id: int, lesson_ids: list[int]) -> dict[int, str]:
    """The learner's status of each of ``lesson_ids`` that has a progress row.

    Asked by (user, lesson), the primary key, so that it reads the learner's few rows whatever
    the database's planner thinks of the per-course indexes the managers' pages read.
    """
    if not lesson_ids:
        return {}
    return dict(db.session.execute(_PROGRESS_BY_LESSON, {"user_id": user_id, "lesson_ids": lesson_ids}).all())


def build_course_maps(user: User, courses: list[Course]) -> dict[int, CourseMap]:
    """Each course's modules and lessons with the learner's state: the kept outlines and one
    query for the learner's progress.

    Lessons unlock in order: a lesson is open once every earlier required lesson is done
    or handed in for review. Lessons of optional modules never hold later ones back.
    """
    modules = _modules_with_states(user, courses)
    _in_language(courses, modules, select_locale())
    return {course.id: CourseMap(course=course, modules=modules[course.id]) for course in courses}


def _in_language(courses: list[Course], modules: dict[int, list[ModuleItem]], language: str) -> None:
    """Module and lesson titles in ``language`` where the course has them translated."""
    for course in courses:
        module_titles = translations.module_titles(course, language)
        lesson_titles = translations.lesson_titles(course, language)
        if not module_titles and not lesson_titles:
            continue
        for module in modules[course.id]:
            module.title = module_titles.get(module.slug, module.title)
            for lesson in module.lessons:
                lesson.title = lesson_titles.get(lesson.id, lesson.title)


def _modules_with_states(user: User, courses: list[Course]) -> dict[int, list[ModuleItem]]:
    outlines = course_outlines(courses)
    outline = [row for rows in outlines.values() for row in rows]
    statuses = progress_by_lesson(user.id, [row.lesson_id for row in outline])
    by_course: dict[int, list[ModuleItem]] = {course.id: [] for course in courses}
    modules: dict[int, ModuleItem] = {}
    for row in outline:
        module = modules.get(row.module_id)
        if module is None:
            module = modules[row.module_id] = ModuleItem(row.module_id, row.module_slug, row.module_title, row.optional)
            by_course[row.course_id].append(module)
        module.lessons.append(
            LessonItem(
                id=row.lesson_id,
                slug=row.lesson_slug,
                title=row.title,
                minutes=row.minutes,
                module_id=row.module_id,
                required=not row.optional,
                course_id=row.course_id,
                revision_id=row.revision_id,
                status=statuses.get(row.lesson_id, "not_started"),
            )
        )
    for course_modules in by_course.values():
        open_so_far = True
        lessons = [lesson for module in course_modules for lesson in module.lessons]
        for number, lesson in enumerate(lessons, start=1):
            lesson.number = number
            lesson.locked = not open_so_far and lesson.status == "not_started"
            if lesson.required and lesson.status not in ("completed", "awaiting_review"):
                open_so_far = False
    return by_course


def course_map(user: User, course: Course) -> CourseMap:
    """One course's map for the learner (see ``build_course_maps``)."""
    return build_course_maps(user, [course])[course.id]


@dataclass
class CourseCard:
    enrollment: Enrollment
    course: Course
    map: CourseMap

    @property
    def overdue(self) -> bool:
        due = self.enrollment.due_date
        return due is not None and self.enrollment.completed_at is None and due < dt.date.today()


def my_courses(user: User) -> list[CourseCard]:
    """The learner's enrollments with progress and where to continue, in a constant number of queries."""
    rows = db.session.execute(
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user.id, Course.status != "draft")
        .order_by(
            Enrollment.completed_at.is_not(None), Enrollment.due_date.is_(None), Enrollment.due_date, Course.title
        )
    ).all()
    maps = build_course_maps(user, [course for _, course in rows])
    language = select_locale()
    return [
        CourseCard(enrollment, translations.course_in(course, language), maps[course.id]) for enrollment, course in rows
    ]


def lesson_for_learner(user: User, course: Course, slug: str) -> tuple[PublishedLesson, CourseMap]:
    """The lesson and the course map; NotOpenYet when the lesson is locked, NotAllowed when it does
    not exist."""
    cmap = course_map(user, course)
    item = cmap.find(slug)
    if item is None:
        raise NotAllowed(_("No such lesson in this course."))
    if item.locked:
        raise NotOpenYet(_("This lesson opens once you have finished the lessons before it."))
    return PublishedLesson(item.id, item.slug, item.course_id, item.module_id, item.revision_id), cmap
