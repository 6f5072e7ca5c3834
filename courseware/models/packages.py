"""E-learning packages (SCORM) brought in as lessons: the upload, its files, and each learner's
runtime state in each lesson that plays one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow

PACKAGE_FORMATS = ("scorm12", "scorm2004", "cmi5")


class Package(Base):
    """One package of a course, known by its zip's file name (which sits in a module's folder
    beside the lesson files). A new version of the zip replaces its files; the upload itself is
    kept byte for byte for export."""

    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("course_id", "filename"),
        CheckConstraint("format IN ('scorm12', 'scorm2004', 'cmi5')", name="format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(20))
    identifier: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    # The manifest as read (courseware.packages.manifests.PackageManifest), as plain JSON.
    manifest: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    files: Mapped[list[PackageFile]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def unit(self, identifier: str) -> dict | None:
        """The manifest's unit (SCO or asset) with ``identifier``, or None."""
        return next((unit for unit in self.manifest.get("units", []) if unit["identifier"] == identifier), None)


class PackageFile(Base):
    """One file inside a package, served to the people who may play its lessons."""

    __tablename__ = "package_files"

    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(1000), primary_key=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)


class ScormState(Base):
    """What a learner's SCO last committed in one lesson: the CMI data as sent, and the parts
    Courseware reads (given back on the next launch, or mapped to the lesson's progress)."""

    __tablename__ = "scorm_states"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    cmi: Mapped[dict] = mapped_column(JSON, default=dict)
    suspend_data: Mapped[str] = mapped_column(Text, default="")
    lesson_location: Mapped[str] = mapped_column(String(1000), default="")
    completion_status: Mapped[str | None] = mapped_column(String(20))
    success_status: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)  # scaled, 0 to 1 (2004 may go to -1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
