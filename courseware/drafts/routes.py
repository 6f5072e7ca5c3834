"""The drafts endpoint (``/drafts/<form>``): JSON for the script that saves drafts as people type.

A person reads and writes their own drafts alone: another person asking for the same form name
finds only their own draft, or none (404).
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.errors import error_response
from courseware.drafts import keeping, services
from courseware.exceptions import Invalid
from courseware.extensions import db, limiter

bp = Blueprint("drafts", __name__)

bp.before_app_request(keeping.give_back_unsent)
bp.add_app_template_global(keeping.draft_fields, "draft_fields")


def _person_key() -> str:
    return f"drafts:{current_user.get_id() or get_remote_address()}"


def _kind(form: str):
    kind = services.kind_of(form)
    if kind is None:
        abort(404, _("No form of that name keeps drafts."))
    return kind


def _body(form: str, draft) -> dict:
    return {
        "form": form,
        "fields": dict(draft.fields) if draft else {},
        "saved_at": draft.saved_at.isoformat() if draft else None,
        "message": _("Draft saved") if draft else _("No draft kept"),
    }


@bp.route("/<path:form>", methods=["GET"])
@role_required()
def draft(form: str):
    """Your draft of the form ``form``; 404 when you have none (whoever else has one)."""
    _kind(form)
    found = services.draft_of(current_user, form)
    if found is None:
        abort(404, _("You have no draft of this form."))
    return _body(form, found)


@bp.route("/<path:form>", methods=["POST"])
@limiter.limit("60 per minute", key_func=_person_key)
@role_required()
def save(form: str):
    """Keep the fields sent (form-encoded, or JSON ``{"fields": {...}}``) as your draft of
    ``form``; all empty removes it. 413 for a field over the form's own limit, 422 for fields
    that are not text, with the reason in the JSON body."""
    kind = _kind(form)
    values = request.form
    if request.is_json:
        body = request.get_json(silent=True)
        values = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(values, dict):
            return error_response(422, 'Send the draft as {"fields": {"name": "text", ...}}.')
    try:
        fields = services.clean_fields(kind, values)
    except services.TooLong as exc:
        return error_response(413, exc.message)
    except Invalid as exc:
        return error_response(422, exc.message)
    saved = services.save_draft(current_user, form, fields)
    db.session.commit()
    return _body(form, saved)
