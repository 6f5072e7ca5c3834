"""What every template can use: navigation for the person's roles, policies, the organisation,
and the time filters (``date``, ``when``, ``exact``, ``ago``, ``clock``) from :mod:`courseware.core.times`."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from courseware.authoring import policies as authoring_policies
from courseware.core import times
from courseware.core.links import page_url
from courseware.core.numbers import percent
from courseware.core.text import linkify_text
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
    ("learn.home", "My learning", None),
    ("learn.journal", "Journal", None),
    ("learn.objectives", "Objectives", None),
    ("learn.my_progress", "My progress", None),
    ("review.queue", "Review", ("trainer", "admin")),
    ("author.index", "Author", ("trainer", "admin")),
    ("mentoring.mentees", "Mentees", ("trainer",)),
    ("mentoring.pairs", "Mentoring", ("manager", "admin")),
    ("manage.overview", "Manage", ("manager", "admin")),
    ("admin.people", "People", ("admin",)),
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
    "viewed": "Opened",
    "read": "Marked as read",
    "passed": "Passed the quiz in",
    "failed": "Tried the quiz in",
    "checked": "Ticked checklist items in",
    "submitted": "Handed in practice work for",
    "reviewed": "Got a trainer's review on",
    "journaled": "Wrote in the journal",
    "completed": "Completed",
    "set-objective": "Set an objective",
    "revised-objective": "Revised an objective",
    "checked-in": "Checked in on an objective",
    "reviewed-objective": "Reviewed an objective",
    "enrolled": "Was enrolled in",
}
# Where a comment was made ("commented" events' ``where``), as the timeline says it.
COMMENT_PLACES = {
    "discussion": "Commented on the discussion of",
    "submission": "Commented on practice work in",
    "checklist": "Commented on a checklist in",
    "journal": "Commented on a journal entry",
}


# What a SCORM package's events say (their ``detail`` names the package).
PACKAGE_PHRASES = {
    "passed": "Passed the interactive module in",
    "failed": "Did not pass the interactive module in",
    "completed": "Completed the interactive module in",
}


def verb_phrase(verb: str, event=None) -> str:
    """A learner's event in words, as shown on timelines ("Passed the quiz in"); a comment says
    where it was made ("Commented on the discussion of")."""
    if verb in PACKAGE_PHRASES and (getattr(event, "detail", None) or {}).get("package"):
        return PACKAGE_PHRASES[verb]
    if verb == "commented":
        where = (getattr(event, "detail", None) or {}).get("where")
        return COMMENT_PLACES.get(where, "Commented on")
    return VERB_PHRASES.get(verb, verb.replace("-", " ").capitalize())


# Checklists have one vocabulary everywhere (lesson, review, threads, timelines, managers'
# pages): a trainer "confirmed" or "returned" one.
CHECKLIST_STATES = {
    "open": "in progress",
    "awaiting_verification": "waiting to be confirmed",
    "verified": "confirmed",
    "returned": "returned",
}


def checklist_state(status: str) -> str:
    """A checklist's state in words: "in progress", "waiting to be confirmed", "confirmed", "returned"."""
    return CHECKLIST_STATES.get(status, status.replace("_", " "))


def _reviewed_checklist(detail: dict) -> bool:
    # A practice review names its submission or decision; a checklist's names the checklist.
    return "checklist_state_id" in detail or "confirmed" in detail or not ({"submission_id", "decision"} & set(detail))


def event_result(event) -> str:
    """What came of an event, when it has a result worth saying: "3 of 4 right", "approved"."""
    detail = event.detail or {}
    if detail.get("package") and getattr(event, "score", None) is not None:
        return f"score {round(event.score * 100)}%"
    if event.verb in ("passed", "failed") and "questions" in detail:
        return f"{detail.get('right')} of {detail['questions']} right"
    if event.verb == "reviewed" and event.success is not None:
        if _reviewed_checklist(detail):
            return "checklist confirmed" if event.success else "checklist returned"
        return "approved" if event.success else "changes requested"
    if event.verb == "checked" and "ticked" in detail:
        return "all ticked" if detail.get("complete") else f"{len(detail['ticked'])} ticked"
    if event.verb == "submitted" and detail.get("version", 1) > 1:
        return f"version {detail['version']}"
    return ""


def figure(value) -> str:
    """A measured value as people write it: 120, 4.5, 0.33 (no trailing zeros); "–" for none."""
    if value is None:
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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
    app.jinja_env.filters["linkify"] = linkify_text
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
