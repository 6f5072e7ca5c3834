"""Asking before a destructive action, without JavaScript.

A destructive form posts as usual; the view first calls :func:`ask_first`, which, unless the post
carries ``confirmed=yes``, answers a page that says what will happen and posts the same fields
back with ``confirmed=yes`` (or goes back without doing anything).
"""

from __future__ import annotations

from flask import render_template, request

CONFIRM_FIELD = "confirmed"


def confirmed() -> bool:
    """Whether the person has already answered the question for this post."""
    return request.form.get(CONFIRM_FIELD) == "yes"


def ask_first(question: str, consequences: list[str] | str, action: str, cancel_url: str, *, danger: bool = True):
    """The confirmation page for the current post, or None once it is confirmed."""
    if confirmed():
        return None
    fields = [
        (name, value)
        for name in request.form
        if name not in ("csrf_token", CONFIRM_FIELD)
        for value in request.form.getlist(name)
    ]
    if isinstance(consequences, str):
        consequences = [consequences]
    return render_template(
        "core/confirm.html",
        question=question,
        consequences=consequences,
        action=action,
        cancel_url=cancel_url,
        fields=fields,
        post_to=request.path,
        danger=danger,
    )
