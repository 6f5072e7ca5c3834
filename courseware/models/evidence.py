"""Evidence handed in with practice work and checklists: the files' bytes and what they are."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from courseware.db import Base, UTCDateTime, utcnow

EVIDENCE_KINDS = ("image", "pdf")


class StoredFile(Base):
    """The bytes of one file, in the database so that every app server reads the same ones
    (``evidence.storage``)."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvidenceFile(Base):
    """A file a learner handed in with practice work or a checklist: checked, and for an image
    re-encoded without its metadata, with a thumbnail."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'pdf')", name="kind"),
        CheckConstraint(
            "(submission_id IS NULL) <> (checklist_state_id IS NULL)",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    checklist_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_states.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    stored_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"
