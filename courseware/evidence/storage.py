"""Where uploaded files' bytes are kept: one small interface, backed by the database.

The bytes live in the ``stored_files`` table, so that every app server behind a load balancer
reads what any of them stored, and a file is saved or lost with the transaction that hands it
in. Another backend (a folder all servers share) would implement the same three functions.
"""

from __future__ import annotations

from sqlalchemy import delete as delete_rows
from sqlalchemy import select

from courseware.db import utcnow
from courseware.extensions import db
from courseware.models import StoredFile


def put(data: bytes) -> int:
    """Keep ``data``; the id to read it back with. Flushed in the caller's transaction."""
    stored = StoredFile(size=len(data), data=data, created_at=utcnow())
    db.session.add(stored)
    db.session.flush()
    return stored.id


def get(file_id: int) -> bytes | None:
    """The bytes kept under ``file_id``, or None when there are none."""
    return db.session.scalar(select(StoredFile.data).where(StoredFile.id == file_id))


def delete(file_id: int) -> None:
    """Forget the bytes kept under ``file_id`` (nothing happens when there are none)."""
    db.session.execute(delete_rows(StoredFile).where(StoredFile.id == file_id))
