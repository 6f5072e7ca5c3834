"""What learners do: enrollments, the event log, derived progress and the work they hand in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")
# The key a form carried when it was shown (``learn.form_keys.new_form_key``). A row made from a
# form keeps it, and a unique index on (owner, key) makes the same form sent twice, even at the
# same moment, one row.
FORM_KEY_LENGTH = 40


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrollments_course_id_completed_at", "course_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Public code printed on the certificate; anyone holding it can verify the completion.
    certificate_code: Mapped[str | None] = mapped_column(String(32), unique=True)

    course = relationship("Course")
    user = relationship("User", foreign_keys=[user_id])


class TeamAssignment(Base):
    """A course assigned to a team as a rule: whoever joins the team later is enrolled in it,
    with the same due date."""

    __tablename__ = "team_assignments"
    __table_args__ = (UniqueConstraint("team_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    course = relationship("Course")
    team = relationship("Team")


class LearningEvent(Base):
    """Append-only: one row per thing a learner did, shaped to map onto an xAPI statement."""

    __tablename__ = "learning_events"
    __table_args__ = (
        Index("ix_learning_events_user_id_created_at", "user_id", "created_at"),
        Index("ix_learning_events_course_id_created_at", "course_id", "created_at"),
        Index("ix_learning_events_created_at", "created_at"),
        # For the managers' pages: trend and last active; passive events per week.
        Index("ix_learning_events_user_id_created_at_verb", "user_id", "created_at", "verb"),
        Index("ix_learning_events_verb_created_at", "verb", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(30))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    activity_key: Mapped[str | None] = mapped_column(String(80))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_revisions.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    success: Mapped[bool | None] = mapped_column(Boolean)
    text_length: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict | None] = mapped_column(JSON)
    # Set by the client or the form; a repeat with the same key is not recorded twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


PROGRESS_STATUSES = ("not_started", "in_progress", "awaiting_review", "completed")


class LessonProgress(Base):
    """Derived from the event log by ``progress.rebuild``; never edited by hand."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        CheckConstraint("status IN ('not_started', 'in_progress', 'awaiting_review', 'completed')", name="status"),
        Index("ix_lesson_progress_course_id_user_id", "course_id", "user_id"),
        # Covering index for the managers' pages: lessons done or waiting, per course and person.
        Index("ix_lesson_progress_user_id_status_course_id", "user_id", "status", "course_id", "lesson_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    activities_done: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What folding the next event on from this row needs (``progress.rules.LessonState.snapshot``);
    # empty until the lesson's next step, which then folds the whole log.
    fold_state: Mapped[dict | None] = mapped_column(JSON)


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_user_id_lesson_id", "user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("lesson_revisions.id", ondelete="CASCADE"))
    activity_key: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChecklistState(Base):
    """Which items of a checklist a learner has ticked, and a trainer's verification."""

    __tablename__ = "checklist_states"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id", "activity_key"),
        CheckConstraint("status IN ('open', 'awaiting_verification', 'verified', 'returned')", name="status"),
        Index("ix_checklist_states_status_updated_at_user_id", "status", "updated_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_revisions.id", ondelete="SET NULL"))
    activity_key: Mapped[str] = mapped_column(String(80))
    ticked: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(30), default="open")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    # What the learner shows the trainer beside the ticks (files are ``EvidenceFile`` rows).
    note: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


SUBMISSION_STATUSES = ("submitted", "changes_requested", "approved")


class Submission(Base):
    """One hand-in of practice work; a resubmission is a new row, so history is kept."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'changes_requested', 'approved')", name="status"),
        Index("ix_submissions_user_id_lesson_id", "user_id", "lesson_id"),
        Index("ix_submissions_status_created_at_user_id", "status", "created_at", "user_id"),
        Index("uq_submissions_user_id_form_key", "user_id", "form_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("lesson_revisions.id", ondelete="CASCADE"))
    activity_key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    # Further links to the work elsewhere, beyond ``link`` (files are ``EvidenceFile`` rows).
    links: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), default="submitted")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    form_key: Mapped[str | None] = mapped_column(String(FORM_KEY_LENGTH))

    reviews: Mapped[list[Review]] = relationship(back_populates="submission", order_by="Review.created_at")
    user = relationship("User")

    @property
    def all_links(self) -> list[str]:
        """Every link handed in (hand-ins from before several links were taken have one)."""
        return list(self.links or ([self.link] if self.link else []))


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("decision IN ('approved', 'changes_requested')", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="reviews")
    reviewer = relationship("User")


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        Index("ix_journal_entries_user_id_created_at", "user_id", "created_at"),
        Index("uq_journal_entries_user_id_form_key", "user_id", "form_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    activity_key: Mapped[str | None] = mapped_column(String(80))
    prompt: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    shared_with_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_with_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    form_key: Mapped[str | None] = mapped_column(String(FORM_KEY_LENGTH))


OBJECTIVE_HORIZONS = ("short", "medium", "long")
MEASURE_KINDS = ("quantitative", "qualitative")


class Objective(Base):
    """A learner's objective; its fields are those of the latest revision."""

    __tablename__ = "objectives"
    __table_args__ = (
        CheckConstraint("horizon IN ('short', 'medium', 'long')", name="horizon"),
        CheckConstraint("measure_kind IN ('quantitative', 'qualitative')", name="measure_kind"),
        Index("uq_objectives_user_id_form_key", "user_id", "form_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    horizon: Mapped[str] = mapped_column(String(10))
    measure_kind: Mapped[str] = mapped_column(String(20))
    measure: Mapped[str] = mapped_column(Text)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    unit: Mapped[str | None] = mapped_column(String(120))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[dt.date | None] = mapped_column(Date)
    target_value: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(10))
    # Days between reviews; None takes the organisation's default for the horizon.
    review_days: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The due date of the review the owner was last told about: one notification per due period.
    review_prompted_on: Mapped[dt.date | None] = mapped_column(Date)
    # For a team objective, how the members' check-ins are rolled up: sum, mean or latest.
    rollup: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    form_key: Mapped[str | None] = mapped_column(String(FORM_KEY_LENGTH))

    revisions: Mapped[list[ObjectiveRevision]] = relationship(
        back_populates="objective", order_by="ObjectiveRevision.number", cascade="all, delete-orphan"
    )
    # A team objective is set by a manager (``user_id``) for every member of one team.
    team_link: Mapped[TeamObjective | None] = relationship(cascade="all, delete-orphan", lazy="selectin")
    user = relationship("User")

    @property
    def team_id(self) -> int | None:
        return self.team_link.team_id if self.team_link is not None else None


class TeamObjective(Base):
    """The team an objective was set for."""

    __tablename__ = "team_objectives"

    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)

    team = relationship("Team")


class ObjectiveRevision(Base):
    __tablename__ = "objective_revisions"
    __table_args__ = (
        UniqueConstraint("objective_id", "number"),
        Index("uq_objective_revisions_objective_id_form_key", "objective_id", "form_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    horizon: Mapped[str] = mapped_column(String(10))
    measure_kind: Mapped[str] = mapped_column(String(20))
    measure: Mapped[str] = mapped_column(Text)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    unit: Mapped[str | None] = mapped_column(String(120))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[dt.date | None] = mapped_column(Date)
    target_value: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(10))
    review_days: Mapped[int | None] = mapped_column(Integer)
    rollup: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    # Set when the revision is a review: keep, revise or retire, and what the person learned.
    review_decision: Mapped[str | None] = mapped_column(String(10))
    learned: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    form_key: Mapped[str | None] = mapped_column(String(FORM_KEY_LENGTH))

    objective: Mapped[Objective] = relationship(back_populates="revisions")


CHECK_IN_FIELDS = ("on_date", "value", "rating", "note", "link", "journal_entry_ids")


class ObjectiveCheckIn(Base):
    """How an objective is going on a date: a value (quantitative) or a 1–5 rating (qualitative).

    Its fields are those of its latest revision; a deleted check-in keeps its row and revisions.
    """

    __tablename__ = "objective_check_ins"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        Index("ix_objective_check_ins_objective_id_on_date", "objective_id", "on_date"),
        Index("uq_objective_check_ins_objective_id_form_key", "objective_id", "form_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    journal_entry_ids: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    form_key: Mapped[str | None] = mapped_column(String(FORM_KEY_LENGTH))

    author = relationship("User")
    revisions: Mapped[list[CheckInRevision]] = relationship(
        back_populates="check_in", order_by="CheckInRevision.number", cascade="all, delete-orphan"
    )


class CheckInRevision(Base):
    """One state of a check-in: as made, after each edit, and when deleted."""

    __tablename__ = "check_in_revisions"
    __table_args__ = (UniqueConstraint("check_in_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("objective_check_ins.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    on_date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    journal_entry_ids: Mapped[list | None] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    check_in: Mapped[ObjectiveCheckIn] = relationship(back_populates="revisions")
