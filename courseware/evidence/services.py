"""Evidence handed in with practice work and checklists: checking uploads, keeping the files,
and finding them again."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from courseware.db import utcnow
from courseware.evidence import storage
from courseware.evidence.files import CleanFile, clean_upload
from courseware.evidence.uploads import Upload
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import ChecklistState, EvidenceFile, Submission, User

log = logging.getLogger(__name__)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_uploads(sent: list[Upload], *, already: int = 0) -> tuple[list[CleanFile], list[str]]:
    """The files in ``sent`` that are accepted, cleaned, and a message for each that is not.

    Refused: more files than ``EVIDENCE_MAX_FILES`` (counting ``already`` kept ones), a file
    larger than ``EVIDENCE_MAX_BYTES``, and anything that is not a PNG, JPEG or WebP image or a
    PDF by its content, whatever its name says.
    """
    max_files = int(current_app.config["EVIDENCE_MAX_FILES"])
    max_bytes = int(current_app.config["EVIDENCE_MAX_BYTES"])
    errors: list[str] = []
    if already + len(sent) > max_files:
        room = max(max_files - already, 0)
        errors.append(
            f"You can hand in at most {max_files} files here; you sent {len(sent)}"
            + (f" and {already} are already attached" if already else "")
            + (f". Choose at most {room}." if room else ". Remove one first.")
        )
        return [], errors
    accepted = []
    for upload in sent:
        if upload.data is None or len(upload.data) > max_bytes:
            errors.append(f"“{upload.filename[:120]}” is larger than {megabytes(max_bytes)}; send a smaller file.")
            continue
        if not upload.data:
            errors.append(f"“{upload.filename[:120]}” is empty.")
            continue
        try:
            accepted.append(clean_upload(upload.filename, upload.data))
        except Invalid as exc:
            errors.append(exc.message)
    return accepted, errors


def attach_files(
    owner: User,
    files: list[CleanFile],
    *,
    submission: Submission | None = None,
    checklist_state: ChecklistState | None = None,
) -> list[EvidenceFile]:
    """Keep accepted files as evidence of a submission or a checklist (exactly one of them)."""
    rows = []
    for clean in files:
        row = EvidenceFile(
            user_id=owner.id,
            submission_id=submission.id if submission is not None else None,
            checklist_state_id=checklist_state.id if checklist_state is not None else None,
            kind=clean.kind,
            content_type=clean.content_type,
            filename=clean.filename,
            size=len(clean.data),
            width=clean.width,
            height=clean.height,
            stored_id=storage.put(clean.data),
            thumbnail_id=storage.put(clean.thumbnail) if clean.thumbnail is not None else None,
            created_at=utcnow(),
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    if rows:
        log.info("%s attached %d evidence file(s)", owner.id, len(rows))
    return rows


def evidence_of_submissions(submission_ids: list[int]) -> dict[int, list[EvidenceFile]]:
    """The files handed in with each of the submissions, oldest first (one query)."""
    found: dict[int, list[EvidenceFile]] = {}
    if submission_ids:
        rows = db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.submission_id.in_(submission_ids)).order_by(EvidenceFile.id)
        )
        for row in rows:
            found.setdefault(row.submission_id, []).append(row)
    return found


def evidence_of_checklist(state: ChecklistState | None) -> list[EvidenceFile]:
    """The files attached to a checklist, oldest first."""
    if state is None:
        return []
    return list(
        db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.checklist_state_id == state.id).order_by(EvidenceFile.id)
        )
    )


def remove_file(evidence: EvidenceFile) -> None:
    """Take a file off a checklist that is not confirmed yet; Invalid otherwise."""
    if evidence.checklist_state_id is None:
        raise Invalid("Files handed in with practice work stay with that hand-in.")
    state = db.session.get(ChecklistState, evidence.checklist_state_id)
    if state is not None and state.status == "verified":
        raise Invalid("This checklist is confirmed; its evidence stays as it was.")
    stored, thumbnail = evidence.stored_id, evidence.thumbnail_id
    db.session.delete(evidence)
    db.session.flush()
    storage.delete(stored)
    if thumbnail is not None:
        storage.delete(thumbnail)
