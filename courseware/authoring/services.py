"""Authoring: courses, modules and lessons in the browser; revisions, diffs, restore; editors.

Services flush and never commit; the view commits once. Editing never touches learners'
records: a save adds a :class:`LessonRevision`, publishing moves the lesson's pointer, and
progress and quiz attempts keep the revision they were made on.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from courseware.authoring.editor import DraftInvalid, LessonDraft, check_draft
from courseware.authoring.policies import editable_courses_condition
from courseware.content.format import MAX_SLUG_LENGTH, SLUG_RE, LessonSpec, dump_lesson
from courseware.content.services import content_hash, create_revision, lock_lesson
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Course, CourseStaff, Lesson, LessonRevision, Module, User, UserRole
from courseware.models.courses import COURSE_STATUSES

log = logging.getLogger(__name__)


def slugify(text: str, fallback: str) -> str:
    """A slug from a title: lower-case words joined by hyphens (``fallback`` when nothing is left)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:MAX_SLUG_LENGTH].strip("-")
    return slug or fallback


def unique_slug(slug: str, taken: set[str]) -> str:
    if slug not in taken:
        return slug
    for number in range(2, 1000):
        candidate = f"{slug[: MAX_SLUG_LENGTH - len(str(number)) - 1]}-{number}"
        if candidate not in taken:
            return candidate
    raise Invalid(_("Could not find a free address for this; choose another title."), field="title")


def _check_slug(slug: str, field: str = "slug") -> str:
    slug = slug.strip()
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise Invalid(
            _(
                "Use lower-case letters a-z, digits and single hyphens (like 'setting-up-alerts'), "
                "at most %(most)d characters.",
                most=MAX_SLUG_LENGTH,
            ),
            field=field,
        )
    return slug


# --- courses --------------------------------------------------------------------------------


@dataclass
class CourseRow:
    course: Course
    lessons: int
    role: str


def editable_courses(user: User) -> list[CourseRow]:
    """The courses ``user`` may edit, by title, with how many live lessons each has and why."""
    lesson_counts = (
        select(Lesson.course_id, func.count(Lesson.id).label("lessons"))
        .where(Lesson.archived_at.is_(None))
        .group_by(Lesson.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Course, func.coalesce(lesson_counts.c.lessons, 0))
        .outerjoin(lesson_counts, lesson_counts.c.course_id == Course.id)
        .where(editable_courses_condition(user))
        .order_by(Course.title, Course.id)
    ).all()
    return [
        CourseRow(
            course, count, "owner" if course.owner_id == user.id else ("admin" if user.has_role("admin") else "editor")
        )
        for course, count in rows
    ]


def create_course(owner: User, *, title: str, summary: str, slug: str | None = None) -> Course:
    """A new draft course owned by ``owner``; refuses a slug that is taken or malformed."""
    slug = _check_slug(slug) if slug else slugify(title, "course")
    if db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise Invalid(
            _("A course with the address '%(slug)s' exists already; choose another.", slug=slug), field="slug"
        )
    course = Course(slug=slug, title=title.strip(), summary=summary.strip(), status="draft", owner_id=owner.id)
    db.session.add(course)
    db.session.flush()
    log.info("course %s created by user %s", slug, owner.id)
    return course


def update_course(course: Course, *, title: str, summary: str, status: str, discussion: bool | None = None) -> None:
    """Change a course's title, summary, status (draft, published or archived) and, when given,
    whether its lessons have a discussion unless a lesson says otherwise."""
    if status not in COURSE_STATUSES:
        raise Invalid(_("Choose draft, published or archived."), field="status")
    course.title, course.summary, course.status = title.strip(), summary.strip(), status
    if discussion is not None:
        course.discussion = discussion
    course.updated_at = utcnow()
    db.session.flush()


def grant_editor(course: Course, person: User, granted_by: User) -> bool:
    """Make a trainer an editor of the course; False when they already were one."""
    if not person.has_role("trainer"):
        raise Invalid(
            _("%(name)s is not a trainer; an admin can add the trainer role first.", name=person.name), field="person"
        )
    if staff_row(course, person, "editor") is not None:
        return False
    db.session.add(CourseStaff(course_id=course.id, user_id=person.id, role="editor", granted_by_id=granted_by.id))
    db.session.flush()
    log.info("user %s made editor of course %s by user %s", person.id, course.slug, granted_by.id)
    return True


def revoke_staff(course: Course, person: User, role: str) -> bool:
    """Withdraw an editor's or reviewer's rights on the course; False when they had none."""
    row = staff_row(course, person, role)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    log.info("user %s is no longer %s of course %s", person.id, role, course.slug)
    return True


def staff_row(course: Course, person: User, role: str) -> CourseStaff | None:
    return db.session.get(CourseStaff, (course.id, person.id, role))


def course_staff(course: Course) -> list[tuple[CourseStaff, User]]:
    """The course's editors and reviewers with their accounts, by role then name."""
    return list(
        db.session.execute(
            select(CourseStaff, User)
            .join(User, User.id == CourseStaff.user_id)
            .where(CourseStaff.course_id == course.id)
            .order_by(CourseStaff.role, User.name)
        ).tuples()
    )


def trainers() -> list[User]:
    """Active trainers by name: the people who can be made editors."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "trainer", User.is_active.is_(True))
            .order_by(User.name)
        )
    )


# --- the course page: modules and lessons ----------------------------------------------------


@dataclass
class LessonEntry:
    lesson: Lesson
    latest: LessonRevision | None
    published: LessonRevision | None

    @property
    def title(self) -> str:
        return self.latest.title if self.latest else self.lesson.slug

    @property
    def state(self) -> str:
        if self.lesson.archived_at is not None:
            return "archived"
        if self.published is None:
            return "not published"
        if self.latest is not None and self.latest.id != self.published.id:
            return "draft changes"
        return "published"


@dataclass
class ModuleEntry:
    module: Module
    lessons: list[LessonEntry]


def course_structure(course: Course) -> list[ModuleEntry]:
    """Every module (archived last) with every lesson, each with its latest and published revision.

    At most four queries, whatever the size of the course.
    """
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == course.id)
        .order_by(Module.archived_at.is_not(None), Module.position, Module.id)
    ).all()
    lessons = db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id)
        .options(selectinload(Lesson.published_revision))
        .order_by(Lesson.position, Lesson.id)
    ).all()
    latest_ids = (
        select(func.max(LessonRevision.id))
        .join(Lesson, Lesson.id == LessonRevision.lesson_id)
        .where(Lesson.course_id == course.id)
        .group_by(LessonRevision.lesson_id)
    )
    latest = {
        r.lesson_id: r for r in db.session.scalars(select(LessonRevision).where(LessonRevision.id.in_(latest_ids)))
    }
    entries = {module.id: ModuleEntry(module, []) for module in modules}
    for lesson in lessons:
        if lesson.module_id in entries:
            entries[lesson.module_id].lessons.append(
                LessonEntry(lesson, latest.get(lesson.id), lesson.published_revision)
            )
    return list(entries.values())


def add_module(course: Course, *, title: str, optional: bool = False) -> Module:
    """A new module at the end of the course; its slug comes from the title."""
    taken = set(db.session.scalars(select(Module.slug).where(Module.course_id == course.id)))
    position = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(
        course_id=course.id,
        slug=unique_slug(slugify(title, "module"), taken),
        title=title.strip(),
        optional=optional,
        position=(position or 0) + 1,
    )
    db.session.add(module)
    db.session.flush()
    return module


def update_module(module: Module, *, title: str, optional: bool) -> None:
    """Rename a module and say whether it is optional (its lessons then never hold others back)."""
    module.title, module.optional = title.strip(), optional
    db.session.flush()


def set_module_archived(module: Module, archived: bool) -> None:
    """Archive a module (learners no longer see it or its lessons) or bring it back."""
    module.archived_at = utcnow() if archived else None
    db.session.flush()


def move_module(module: Module, direction: str) -> bool:
    """Swap the module with the one before (``up``) or after (``down``); False at either end."""
    siblings = list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == module.course_id, Module.archived_at.is_(None))
            .order_by(Module.position, Module.id)
        )
    )
    return _swap(siblings, module, direction)


def _swap(rows: list, row, direction: str) -> bool:
    """Renumber ``rows`` 1..n in their order, then swap ``row`` with its neighbour."""
    if row not in rows:
        return False
    index = rows.index(row)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, item in enumerate(rows, start=1):
        item.position = position
    db.session.flush()
    return True


def add_lesson(module: Module, author: User, *, title: str) -> Lesson:
    """A new lesson at the end of the module with a first, unpublished revision.

    Learners see it once it is published; its slug (its address) comes from the title and
    never changes.
    """
    taken = set(db.session.scalars(select(Lesson.slug).where(Lesson.course_id == module.course_id)))
    position = db.session.scalar(select(func.max(Lesson.position)).where(Lesson.module_id == module.id))
    lesson = Lesson(
        course_id=module.course_id,
        module_id=module.id,
        slug=unique_slug(slugify(title, "lesson"), taken),
        position=(position or 0) + 1,
    )
    db.session.add(lesson)
    db.session.flush()
    create_revision(
        lesson, title=title, minutes=5, body="", activities=[], author=author, source="editor", publish=False
    )
    log.info("lesson %s added to course %s by user %s", lesson.slug, module.course_id, author.id)
    return lesson


def move_lesson(lesson: Lesson, direction: str) -> bool:
    """Swap the lesson with its neighbour in the module (archived lessons keep their place)."""
    siblings = list(
        db.session.scalars(
            select(Lesson).where(Lesson.module_id == lesson.module_id).order_by(Lesson.position, Lesson.id)
        )
    )
    return _swap(siblings, lesson, direction)


def move_lesson_to(lesson: Lesson, module: Module) -> None:
    """Put the lesson at the end of another module of the same course."""
    if module.course_id != lesson.course_id:
        raise Invalid(_("A lesson can only move to a module of its own course."), field="module")
    if module.id == lesson.module_id:
        return
    old_module_id = lesson.module_id
    position = db.session.scalar(select(func.max(Lesson.position)).where(Lesson.module_id == module.id))
    lesson.module_id, lesson.position = module.id, (position or 0) + 1
    db.session.flush()
    remaining = db.session.scalars(
        select(Lesson).where(Lesson.module_id == old_module_id).order_by(Lesson.position, Lesson.id)
    )
    for number, sibling in enumerate(remaining, start=1):
        sibling.position = number
    db.session.flush()


def set_lesson_archived(lesson: Lesson, archived: bool) -> None:
    """Archive a lesson (learners no longer see it; its history stays) or bring it back."""
    lesson.archived_at = utcnow() if archived else None
    db.session.flush()


# --- revisions ------------------------------------------------------------------------------


def revisions(lesson: Lesson) -> list[LessonRevision]:
    """The lesson's revisions, newest first."""
    return list(
        db.session.scalars(
            select(LessonRevision).where(LessonRevision.lesson_id == lesson.id).order_by(LessonRevision.number.desc())
        )
    )


def latest_revision(lesson: Lesson) -> LessonRevision | None:
    """The lesson's newest revision, published or not."""
    return db.session.scalar(
        select(LessonRevision)
        .where(LessonRevision.lesson_id == lesson.id)
        .order_by(LessonRevision.number.desc())
        .limit(1)
    )


def revision_of(lesson: Lesson, revision_id: int) -> LessonRevision | None:
    """The revision with ``revision_id`` when it belongs to ``lesson``; None otherwise."""
    revision = db.session.get(LessonRevision, revision_id)
    return revision if revision is not None and revision.lesson_id == lesson.id else None


def used_activity_keys(lesson: Lesson) -> set[str]:
    """Every activity key any revision of the lesson has used (new activities take fresh ones)."""
    keys: set[str] = set()
    for activities in db.session.scalars(
        select(LessonRevision.activities).where(LessonRevision.lesson_id == lesson.id)
    ):
        keys.update(activity["key"] for activity in activities or [])
    return keys


class EditConflict(Invalid):
    """Someone saved the lesson after the editor was opened; the draft was not stored."""

    def __init__(self, latest: LessonRevision, author_name: str | None):
        if author_name:
            message = _(
                "Revision %(number)s was saved by %(name)s after you opened this lesson, so nothing was saved. "
                "Your text is kept below: compare it with the revisions, then save again to replace theirs.",
                number=latest.number,
                name=author_name,
            )
        else:
            message = _(
                "Revision %(number)s was saved after you opened this lesson, so nothing was saved. "
                "Your text is kept below: compare it with the revisions, then save again to replace theirs.",
                number=latest.number,
            )
        super().__init__(message)
        self.latest = latest


@dataclass
class SaveResult:
    revision: LessonRevision
    created: bool
    published: bool


def save_lesson(lesson: Lesson, draft: LessonDraft, author: User, *, publish: bool) -> SaveResult:
    """Store the editor's draft as a new revision and, with ``publish``, make it what learners see.

    Checked by the lesson format first (raises :class:`DraftInvalid` with the problems by field).
    Refuses (:class:`EditConflict`) when a newer revision appeared since the editor was opened,
    also when two editors save at the same moment: saves of one lesson are taken one after the
    other, so the second finds the first one's revision.
    Saving unchanged content adds no revision; publishing it then just publishes the latest.
    """
    spec, errors = check_draft(draft, lesson.slug)
    if spec is None:
        raise DraftInvalid(errors)
    lock_lesson(lesson)
    latest = latest_revision(lesson)
    if latest is not None and latest.number > draft.base_revision:
        author_name = db.session.get(User, latest.author_id).name if latest.author_id else None
        raise EditConflict(latest, author_name)
    if latest is not None and latest.content_hash == content_hash(spec):
        if publish and lesson.published_revision_id != latest.id:
            publish_revision(lesson, latest)
            return SaveResult(latest, created=False, published=True)
        return SaveResult(latest, created=False, published=False)
    revision = create_revision(
        lesson,
        title=spec.title,
        minutes=spec.minutes,
        body=spec.body,
        activities=spec.activities,
        author=author,
        source="editor",
        publish=publish,
        discussion=spec.discussion,
    )
    return SaveResult(revision, created=True, published=publish)


def publish_revision(lesson: Lesson, revision: LessonRevision) -> None:
    """Make ``revision`` what learners see; their progress and quiz attempts stay as they are."""
    if revision.lesson_id != lesson.id:
        raise Invalid(_("That revision belongs to another lesson."))
    lesson.published_revision = revision
    db.session.flush()
    log.info("lesson %s: revision %s published", lesson.slug, revision.number)


def restore_revision(lesson: Lesson, old: LessonRevision, author: User) -> LessonRevision:
    """Copy an old revision's content into a new, unpublished revision (history is never rewritten)."""
    lock_lesson(lesson)
    revision = create_revision(
        lesson,
        title=old.title,
        minutes=old.minutes,
        body=old.body,
        activities=old.activities,
        author=author,
        source="restore",
        publish=False,
        discussion=old.discussion,
    )
    log.info("lesson %s: revision %s restored as %s", lesson.slug, old.number, revision.number)
    return revision


def revision_text(lesson: Lesson, revision: LessonRevision) -> str:
    """The revision as its canonical lesson file."""
    return dump_lesson(
        LessonSpec(
            slug=lesson.slug,
            title=revision.title,
            minutes=revision.minutes,
            body=revision.body,
            activities=revision.activities,
            discussion=revision.discussion,
        )
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "gap"
    text: str
    old_number: int | None = None
    new_number: int | None = None


def diff_revisions(lesson: Lesson, old: LessonRevision, new: LessonRevision, context: int = 3) -> list[DiffLine]:
    """The lines that differ between two revisions' lesson files, with a little context."""
    before = revision_text(lesson, old).splitlines()
    after = revision_text(lesson, new).splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", before[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2))
                continue
            if tag in ("replace", "delete"):
                lines.extend(DiffLine("removed", before[i], old_number=i + 1) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                lines.extend(DiffLine("added", after[j], new_number=j + 1) for j in range(j1, j2))
    return lines
