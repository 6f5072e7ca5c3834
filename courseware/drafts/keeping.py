"""Forms that keep what people type: drafts as they write, and text sent after a session ended.

A form takes part with three lines, one in each place (the journal is the example)::

    # the view that receives the form (under ``@role_required``): the form's name, made from
    # the view's arguments, its form class and the text fields to keep
    @keeps_drafts("journal", JournalForm, "body")

    # where the form is made to be shown afresh (not one sent back with errors)
    draft = fill_draft(form, "journal")

    # inside the <form> in the template, after its submit button (the macro comes from
    # {% from "_macros/drafts.html" import draft_controls %})
    {{ draft_controls("journal", draft) }}

A lesson discussion would declare, for example,
``@keeps_drafts("discussion/{course_slug}/{lesson_slug}", PostForm, "body", page=...)``, where
``page`` builds the address of the page showing the form from the view's arguments (by default
the view's own address, for a form shown and sent at one address).

What that gives the form:

- With JavaScript (``static/js/drafts.js``), the fields are saved as a draft 2 seconds after
  typing stops, through the JSON endpoint in ``routes.py``, and a status line says when.
- Without it, the "Save draft" button (a second submit button named ``save_draft``) does the same
  through the form's own view.
- A draft is private to its author, limited to the fields' own ``Length`` limits, put back in the
  form when it is shown again, and removed when the form is sent and accepted (the view redirects).
  Saving one asks nothing of the page the form is on: it is the author's own text, which only
  they ever read (the page itself still decides whether they may see the form).
- A form sent after the session ended (or with a CSRF token that is no longer valid) is not
  lost: see :func:`keep_unsent_form`. The text is only ever put back in the form for its author
  to read and send themselves; nothing kept is ever sent on anyone's behalf.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.validators import Length

from courseware.core.links import from_own_pages
from courseware.drafts import services
from courseware.drafts.services import DraftKind, KeepingFull
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.models import Draft, User

log = logging.getLogger(__name__)

COOKIE = "unsent_form"
PAGE_LENGTH = 500  # UnsentForm.page

SAVED_MESSAGE = _l("Draft saved. It is not sent yet: send it when it is ready.")
EXPIRED_FORM_MESSAGE = _l(
    "This form had expired, so it was not sent. What you wrote is back in the form: check it and send it again."
)
SIGNED_OUT_MESSAGE = _l(
    "Your session had ended, so nothing was sent. What you wrote is kept: sign in, and it will be back in the form."
)
GIVEN_BACK_MESSAGE = _l("Welcome back. What you wrote before signing in is in the form again: check it and send it.")


@dataclass(frozen=True)
class DraftSpec:
    """How a view's form keeps drafts: its name pattern, its kind and the page showing it."""

    pattern: str
    kind: DraftKind
    page: Callable[[dict], str] | None

    def form_name(self, view_args: dict) -> str:
        return self.pattern.format(**view_args)

    def page_url(self, view_args: dict) -> str:
        return self.page(view_args) if self.page is not None else request.path


def _field_limit(form_class, name: str) -> tuple[int, str]:
    """The longest text the form's field ``name`` accepts (its ``Length`` validator), and its label."""
    unbound = getattr(form_class, name)
    label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else name)
    validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
    limits = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
    if not limits:
        raise ValueError(f"{form_class.__name__}.{name} keeps drafts, so it needs a Length(max=...) limit")
    return min(limits), label


def keeps_drafts(pattern: str, form_class, *fields: str, page: Callable[[dict], str] | None = None):
    """Make a form view keep drafts of ``fields`` under the form name ``pattern`` (formatted with
    the view's arguments; its first part, up to a slash, is the kind of form).

    A POST with the "Save draft" button saves the draft and goes back to ``page``; a POST the
    view accepts (it redirects) removes the draft.
    """
    limits, labels = {}, {}
    for name in fields:
        limits[name], labels[name] = _field_limit(form_class, name)
    kind = services.register_kind(pattern.split("/", 1)[0], limits, labels)
    spec = DraftSpec(pattern, kind, page)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            name = spec.form_name(request.view_args or {})
            if request.method == "POST" and request.form.get("save_draft"):
                saved = _save_from_form(spec, name)
                if saved is not None:
                    return saved
            response = view(*args, **kwargs)
            if request.method == "POST" and isinstance(response, Response) and 300 <= response.status_code < 400:
                _clear_after_sending(name)
            return response

        wrapped.draft_spec = spec
        return wrapped

    return decorator


def _save_from_form(spec: DraftSpec, name: str):
    """The "Save draft" button: keep the fields and go back to the form. Text over a field's
    limit is left to the view, whose form says so with the text kept on the page."""
    if services.kind_of(name) is None:
        abort(404)
    try:
        fields = services.clean_fields(spec.kind, request.form)
    except Invalid:
        return None
    with db.writing():
        services.save_draft(current_user, name, fields)
        db.session.commit()
    flash(str(SAVED_MESSAGE), "success")
    return redirect(spec.page_url(request.view_args or {}))


def _clear_after_sending(name: str) -> None:
    if services.draft_of(current_user, name) is None:
        return
    with db.writing():
        services.clear_draft(current_user, name)
        db.session.commit()


def fill_draft(form, name: str, user=None) -> Draft | None:
    """Put the draft of the form ``name`` of ``user`` (by default the signed-in person) into
    ``form``, a form shown afresh, not one sent back with errors; returns the draft, or None."""
    user = user or current_user
    if not user.is_authenticated:
        return None
    draft = services.draft_of(user, name)
    if draft is None:
        return None
    for field, value in (draft.fields or {}).items():
        if field in form:
            form[field].data = value
    return draft


def draft_fields(name: str) -> list[str]:
    """The fields kept in drafts of the form ``name`` (for the template's script hooks)."""
    kind = services.kind_of(name)
    return list(kind.limits) if kind else []


def _session_owner() -> int | None:
    """Whose session the browser's cookie names (signed by this site, so not forged), if any."""
    value = session.get("_user_id")
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    return int(value) if db.session.get(User, int(value)) is not None else None


def keep_unsent_form():
    """The answer to a form that could not be taken because its session ended, or because its
    CSRF token is no longer valid; None when the request is not such a form (a form that keeps no
    drafts, nothing typed, or sent from another site), to be answered as before.

    - Signed in (only the token was stale): the text becomes the person's draft and they go back
      to the form, told to check it and send it again.
    - Signed out: the text is kept under a random token whose only copy is a cookie in this
      browser, for ``UNSENT_KEEP_MINUTES``; the person signs in and gets it back in the form
      (:func:`give_back_unsent`). When the site keeps as many as it may, the page shows the text
      to copy instead.

    Never sends the form.
    """
    if request.method != "POST" or request.endpoint is None:
        return None
    spec = getattr(current_app.view_functions.get(request.endpoint), "draft_spec", None)
    if spec is None or not from_own_pages():
        return None
    fields = services.clean_fields(spec.kind, request.form, clip=True)
    if not any(value.strip() for value in fields.values()):
        return None
    view_args = request.view_args or {}
    name, page = spec.form_name(view_args), spec.page_url(view_args)
    if services.kind_of(name) is None or len(page) > PAGE_LENGTH:
        return None
    if current_user.is_authenticated:
        with db.writing():
            services.save_draft(current_user, name, fields)
            db.session.commit()
        flash(str(EXPIRED_FORM_MESSAGE), "info")
        return redirect(page)
    config = current_app.config
    try:
        with db.writing():
            token = services.keep_unsent(
                name,
                page,
                fields,
                user_id=_session_owner(),
                minutes=int(config["UNSENT_KEEP_MINUTES"]),
                at_most=int(config["UNSENT_KEPT_AT_MOST"]),
                replaces=request.cookies.get(COOKIE),
            )
            db.session.commit()
    except KeepingFull:
        log.warning("could not keep an unsent form: as many are kept as UNSENT_KEPT_AT_MOST allows")
        return render_template("drafts/unsent.html", spec=spec, fields=fields, page=page), 401
    flash(str(SIGNED_OUT_MESSAGE), "info")
    response = redirect(url_for("auth.login", next=page))
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(config["UNSENT_KEEP_MINUTES"]) * 60,
        path="/",
        secure=bool(config["SECURE_COOKIES"]),
        httponly=True,
        samesite="Lax",
    )
    return response


def give_back_unsent():
    """On the first page a person opens after signing in in a browser that kept a form for them:
    the text becomes their draft of it and they go to that form. The cookie goes either way;
    text kept for someone else's session is removed unread."""
    token = request.cookies.get(COOKIE)
    if not token or request.method != "GET" or request.endpoint in (None, "static"):
        return None
    if request.blueprint == "drafts" or not current_user.is_authenticated:
        return None
    config = current_app.config

    @after_this_request
    def _forget(response):
        response.delete_cookie(COOKIE, path="/", secure=bool(config["SECURE_COOKIES"]), httponly=True, samesite="Lax")
        return response

    with db.writing():
        page = services.claim_unsent(current_user, token)
        db.session.commit()
    if page is None:
        return None
    flash(str(GIVEN_BACK_MESSAGE), "info")
    if urlsplit(page).path != request.path:
        return redirect(page)
    return None
