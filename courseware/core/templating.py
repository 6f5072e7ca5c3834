"""What every template can use: navigation for the person's roles, policies, the organisation,
and the time filters (``date``, ``when``, ``exact``, ``ago``, ``clock``) from :mod:`courseware.core.times`."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from courseware.authoring import policies as authoring_policies
from courseware.core import times
from courseware.core.links import page_url
from courseware.core.numbers import number, percent, percentage
from courseware.core.text import linkify_text
from courseware.i18n import lazy_gettext as _l
from courseware.mentoring import policies as mentoring_policies
from courseware.review import policies as review_policies

# Every policy templates may call, so that they hide what the views forbid; one registry for
# the whole app, whichever blueprints are registered.
TEMPLATE_POLICIES = {
    **authoring_policies.TEMPLATE_POLICIES,
    **review_policies.TEMPLATE_POLICIES,
    **mentoring_policies.TEMPLATE_POLICIES,
}

# (endpoint, label, roles that see it); items whose endpoint is not registered are left out.
NAVIGATION = [
    ("learn.home", _l("My learning"), None),
    ("learn.journal", _l("Journal"), None),
    ("learn.objectives", _l("Objectives"), None),
    ("learn.my_progress", _l("My progress"), None),
    ("review.queue", _l("Review"), ("trainer", "admin")),
    ("author.index", _l("Author"), ("trainer", "admin")),
    ("mentoring.mentees", _l("Mentees"), ("trainer",)),
    ("mentoring.pairs", _l("Mentoring"), ("manager", "admin")),
    ("manage.overview", _l("Manage"), ("manager", "admin")),
    ("admin.people", _l("People"), ("admin",)),
]


def navigation() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [
        (endpoint, label)
        for endpoint, label, roles in NAVIGATION
        if endpoint in endpoints and (roles is None or current_user.has_role(*roles))
    ]


VERB_PHRASES = {
    "viewed": _l("Opened"),
    "read": _l("Marked as read"),
    "passed": _l("Passed the quiz in"),
    "failed": _l("Tried the quiz in"),
    "checked": _l("Ticked checklist items in"),
    "submitted": _l("Handed in practice work for"),
    "reviewed": _l("Got a trainer's review on"),
    "journaled": _l("Wrote in the journal"),
    "completed": _l("Completed"),
    "set-objective": _l("Set an objective"),
    "revised-objective": _l("Revised an objective"),
    "checked-in": _l("Checked in on an objective"),
    "reviewed-objective": _l("Reviewed an objective"),
    "enrolled": _l("Was enrolled in"),
}
# Where a comment was made ("commented" events' ``where``), as the timeline says it.
COMMENT_PLACES = {
    "discussion": _l("Commented on the discussion of"),
    "submission": _l("Commented on practice work in"),
    "checklist": _l("Commented on a checklist in"),
    "journal": _l("Commented on a journal entry"),
}


# What a SCORM package's events say (their ``detail`` names the package).
PACKAGE_PHRASES = {
    "passed": _l("Passed the interactive module in"),
    "failed": _l("Did not pass the interactive module in"),
    "completed": _l("Completed the interactive module in"),
}


def verb_phrase(verb: str, event=None) -> str:
    """A learner's event in words, as shown on timelines ("Passed the quiz in"); a comment says
    where it was made ("Commented on the discussion of")."""
    if verb in PACKAGE_PHRASES and (getattr(event, "detail", None) or {}).get("package"):
        return str(PACKAGE_PHRASES[verb])
    if verb == "commented":
        where = (getattr(event, "detail", None) or {}).get("where")
        return str(COMMENT_PLACES.get(where, _l("Commented on")))
    return str(VERB_PHRASES.get(verb, verb.replace("-", " ").capitalize()))


# Checklists have one vocabulary everywhere (lesson, review, threads, timelines, managers'
# pages): a trainer "confirmed" or "returned" one.
CHECKLIST_STATES = {
    "open": _l("in progress"),
    "awaiting_verification": _l("waiting to be confirmed"),
    "verified": _l("confirmed"),
    "returned": _l("returned"),
}


def checklist_state(status: str) -> str:
    """A checklist's state in words: "in progress", "waiting to be confirmed", "confirmed", "returned"."""
    return str(CHECKLIST_STATES.get(status, status.replace("_", " ")))


def _reviewed_checklist(detail: dict) -> bool:
    # A practice review names its submission or decision; a checklist's names the checklist.
    return "checklist_state_id" in detail or "confirmed" in detail or not ({"submission_id", "decision"} & set(detail))


def event_result(event) -> str:
    """What came of an event, when it has a result worth saying: "3 of 4 right", "approved"."""
    detail = event.detail or {}
    if detail.get("package") and getattr(event, "score", None) is not None:
        return _("score %(score)s", score=percentage(round(event.score * 100)))
    if event.verb in ("passed", "failed") and "questions" in detail:
        return ngettext(
            "%(right)s of %(num)d right", "%(right)s of %(num)d right", detail["questions"], right=detail.get("right")
        )
    if event.verb == "reviewed" and event.success is not None:
        if _reviewed_checklist(detail):
            return _("checklist confirmed") if event.success else _("checklist returned")
        return _("approved") if event.success else _("changes requested")
    if event.verb == "checked" and "ticked" in detail:
        return _("all ticked") if detail.get("complete") else _("%(num)d ticked", num=len(detail["ticked"]))
    if event.verb == "submitted" and detail.get("version", 1) > 1:
        return _("version %(num)s", num=detail["version"])
    return ""


def figure(value) -> str:
    """A measured value as people write it: 120, 4.5, 0.33 (no trailing zeros, the viewer's
    language's digit grouping and decimal sign); "–" for none."""
    return number(value)


def inline_markdown(text: str | None):
    from markupsafe import Markup

    from courseware.content.render import render_inline

    return Markup(render_inline(text or ""))


def block_markdown(text: str | None):
    from markupsafe import Markup

    from courseware.content.render import render_markdown

    return Markup(render_markdown(text or ""))


def user_markdown(text: str | None):
    from courseware.content.render import render_user_markdown

    return render_user_markdown(text or "")


def register_template_helpers(app: Flask) -> None:
    from courseware.organisation.services import organisation

    app.jinja_env.globals.update(
        navigation=navigation, page_url=page_url, organisation=organisation, **TEMPLATE_POLICIES
    )
    app.jinja_env.filters["date"] = times.format_date
    app.jinja_env.filters["ago"] = times.time_ago
    app.jinja_env.filters["when"] = times.when
    app.jinja_env.filters["exact"] = times.exact
    app.jinja_env.filters["clock"] = times.format_clock
    app.jinja_env.filters["verb_phrase"] = verb_phrase
    app.jinja_env.filters["figure"] = figure
    app.jinja_env.filters["event_result"] = event_result
    app.jinja_env.filters["checklist_state"] = checklist_state
    app.jinja_env.filters["inline_md"] = inline_markdown
    app.jinja_env.filters["block_md"] = block_markdown
    app.jinja_env.filters["user_md"] = user_markdown
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["percentage"] = percentage
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["linkify"] = linkify_text
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
