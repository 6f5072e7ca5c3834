"""Evidence handed in with practice work and checklists: checking uploads, keeping the files,
and finding them again."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
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
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 2)))


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
        errors.append(_too_many(max_files, len(sent), already, room))
        return [], errors
    accepted = []
    for upload in sent:
        if upload.data is None or len(upload.data) > max_bytes:
            errors.append(
                _(
                    "“%(name)s” is larger than %(size)s; send a smaller file.",
                    name=upload.filename[:120],
                    size=megabytes(max_bytes),
                )
            )
            continue
        if not upload.data:
            errors.append(_("“%(name)s” is empty.", name=upload.filename[:120]))
            continue
        try:
            accepted.append(clean_upload(upload.filename, upload.data))
        except Invalid as exc:
            errors.append(exc.message)
    return accepted, errors


def _too_many(most: int, sent: int, already: int, room: int) -> str:
    if already and room:
        return ngettext(
            "You can hand in at most %(num)d file here; you sent %(sent)d and %(already)d are already attached. "
            "Choose at most %(room)d.",
            "You can hand in at most %(num)d files here; you sent %(sent)d and %(already)d are already attached. "
            "Choose at most %(room)d.",
            most,
            sent=sent,
            already=already,
            room=room,
        )
    if already:
        return ngettext(
            "You can hand in at most %(num)d file here; you sent %(sent)d and %(already)d are already attached. "
            "Remove one first.",
            "You can hand in at most %(num)d files here; you sent %(sent)d and %(already)d are already attached. "
            "Remove one first.",
            most,
            sent=sent,
            already=already,
        )
    if room:
        return ngettext(
            "You can hand in at most %(num)d file here; you sent %(sent)d. Choose at most %(room)d.",
            "You can hand in at most %(num)d files here; you sent %(sent)d. Choose at most %(room)d.",
            most,
            sent=sent,
            room=room,
        )
    return ngettext(
        "You can hand in at most %(num)d file here; you sent %(sent)d. Remove one first.",
        "You can hand in at most %(num)d files here; you sent %(sent)d. Remove one first.",
        most,
        sent=sent,
    )


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
        raise Invalid(_("Files handed in with practice work stay with that hand-in."))
    state = db.session.get(ChecklistState, evidence.checklist_state_id)
    if state is not None and state.status == "verified":
        raise Invalid(_("This checklist is confirmed; its evidence stays as it was."))
    stored, thumbnail = evidence.stored_id, evidence.thumbnail_id
    db.session.delete(evidence)
    db.session.flush()
    storage.delete(stored)
    if thumbnail is not None:
        storage.delete(thumbnail)
