"""Courses, their ordered modules and lessons, and each lesson's revisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow

COURSE_STATUSES = ("draft", "published", "archived")


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="published")
    # Whether its lessons have a discussion, unless a lesson says otherwise.
    discussion: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The language the course is written in, and its title, summary and module titles in others:
    # {language: {"title": ..., "summary": ..., "modules": {module slug: title}}}.
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    translations: Mapped[dict | None] = mapped_column(JSON, default=dict)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )


class CourseCover(Base):
    """A course's cover image: the bytes as given (a new stored file on every change, so its id
    is the version in the image's address) and its file name in the course folder."""

    __tablename__ = "course_covers"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CourseImage(Base):
    """An image of a course that its lessons show (``![Alt](images/name.png)``): the bytes as
    given or as re-encoded on upload (a new stored file on every change, so its id is the
    version the image's ETag carries), kept under its file name in the course's ``images/``."""

    __tablename__ = "course_images"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    content_type: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CourseStaff(Base):
    """A person granted rights on a course: ``editor`` (trainer) or ``reviewer``."""

    __tablename__ = "course_staff"
    __table_args__ = (CheckConstraint("role IN ('editor', 'reviewer')", name="role"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Module(Base):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(back_populates="module", order_by="Lesson.position")


class Lesson(Base):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        Index("ix_lessons_module_id_position", "module_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Published revision is what learners see; draft revisions may follow it.
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson_revisions.id", ondelete="SET NULL", use_alter=True)
    )
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="lessons")
    published_revision: Mapped[LessonRevision | None] = relationship(
        foreign_keys=[published_revision_id], post_update=True
    )


class LessonRevision(Base):
    """One saved version of a lesson: title, minutes, Markdown body and activities."""

    __tablename__ = "lesson_revisions"
    __table_args__ = (UniqueConstraint("lesson_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer, default=5)
    body: Mapped[str] = mapped_column(Text, default="")
    activities: Mapped[list] = mapped_column(JSON, default=list)
    # The lesson's own say on its discussion; None follows the course's default.
    discussion: Mapped[bool | None] = mapped_column(Boolean)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Sanitised HTML of the body, rendered once per revision.
    body_html: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="file")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship(foreign_keys=[lesson_id])


class LessonTranslation(Base):
    """A lesson in another language: its title, body and activities (the original's, with their
    texts translated), and the original revision it was made from. When the lesson's published
    revision is another one, the translation needs updating (trainers are told; learners are not)."""

    __tablename__ = "lesson_translations"
    __table_args__ = (UniqueConstraint("lesson_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # Sanitised HTML of the body, rendered when the translation is saved.
    body_html: Mapped[str | None] = mapped_column(Text)
    activities: Mapped[list] = mapped_column(JSON, default=list)
    # The revision of the original this translation was made from (or last brought in step with).
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_revisions.id", ondelete="SET NULL"))
    content_hash: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Session, "before_flush")
def _touch_changed_courses(session: Session, _context, _instances) -> None:
    """Move ``Course.updated_at`` whenever one of its modules or lessons changes.

    The learner's pages cache a course's outline under (course id, updated_at), so any change
    to which modules and lessons it has, their order, titles or published revisions must show
    here. Revisions themselves never change once saved.
    """
    changed = [*session.new, *session.deleted]
    changed += [item for item in session.dirty if session.is_modified(item, include_collections=False)]
    course_ids = {
        item.course_id for item in changed if isinstance(item, (Module, Lesson)) and item.course_id is not None
    }
    if not course_ids:
        return
    now = utcnow()
    for course_id in course_ids:
        course = session.get(Course, course_id)
        if course is not None and course not in session.deleted:
            course.updated_at = now
