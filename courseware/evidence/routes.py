"""Serving evidence files (``/evidence``) to the people who may see the work, and only them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.links import safe_next
from courseware.evidence import services, storage
from courseware.evidence.policies import can_remove_evidence, can_see_evidence
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import EvidenceFile

bp = Blueprint("evidence", __name__)

# A file is never a page: no script, no styles, no frames, nothing it could load.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'none'; sandbox; frame-ancestors 'none'"


def _visible(evidence_id: int) -> EvidenceFile:
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or not can_see_evidence(current_user, evidence):
        abort(404)
    return evidence


def _send(data: bytes | None, content_type: str, filename: str, *, inline: bool) -> Response:
    if data is None:
        abort(404)
    response = Response(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<id:evidence_id>")
@role_required()
def download(evidence_id: int):
    """The file as handed in (an image shown, anything else downloaded); 404 to anyone who may
    not see the work."""
    evidence = _visible(evidence_id)
    return _send(storage.get(evidence.stored_id), evidence.content_type, evidence.filename, inline=evidence.is_image)


@bp.route("/<id:evidence_id>/thumbnail")
@role_required()
def thumbnail(evidence_id: int):
    """A small copy of an image, for the review page; 404 for files that are not images."""
    evidence = _visible(evidence_id)
    if evidence.thumbnail_id is None:
        abort(404)
    return _send(storage.get(evidence.thumbnail_id), "image/png", "thumbnail.png", inline=True)


@bp.route("/<id:evidence_id>/remove", methods=["POST"])
@role_required()
def remove(evidence_id: int):
    """The learner takes a file off their checklist while it is not confirmed."""
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or not can_remove_evidence(current_user, evidence):
        abort(404)
    try:
        services.remove_file(evidence)
    except Invalid as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The file is removed."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("learn.home"))
