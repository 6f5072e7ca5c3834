"""Who may do what: coarse role checks for views, object-level rules for data."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from courseware.core.errors import wants_json
from courseware.extensions import db, login_manager
from courseware.models import ManagerScope, Mentorship, User


def role_required(*roles: str):
    """Let the request through only for a logged-in person holding one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user._get_current_object()
            if not user.is_authenticated:
                if wants_json():
                    abort(401)
                from courseware.drafts.keeping import keep_unsent_form

                kept = keep_unsent_form()
                return kept if kept is not None else login_manager.unauthorized()
            if roles and not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def manages(manager: User, person: User) -> bool:
    """True when ``manager`` may see ``person``: an admin, or a manager of that person's team."""
    if manager.has_role("admin"):
        return True
    if not manager.has_role("manager") or person.team_id is None:
        return False
    return db.session.scalar(
        select(exists().where(ManagerScope.manager_id == manager.id, ManagerScope.team_id == person.team_id))
    )


def mentors(mentor: User, learner: User) -> bool:
    """True when ``mentor`` mentors ``learner`` now: paired with them, and a trainer."""
    if not mentor.has_role("trainer"):
        return False
    return db.session.scalar(
        select(exists().where(Mentorship.mentor_id == mentor.id, Mentorship.learner_id == learner.id))
    )
