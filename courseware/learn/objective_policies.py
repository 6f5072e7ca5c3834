"""Who may see an objective, check in on it and change it.

A personal objective is its owner's: they change it and check in; their mentors (while trainers)
see it. A team objective is set by a manager for one team: its members see it and check in, the
managers of that team (and admins) see and change it, and a mentor of a member sees it. Anyone else is
answered as if it did not exist.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from courseware.extensions import db
from courseware.models import ManagerScope, Mentorship, Objective, User


def manages_team(user: User, team_id: int) -> bool:
    """An admin, or a manager of the team."""
    if user.has_role("admin"):
        return True
    if not user.has_role("manager"):
        return False
    return bool(
        db.session.scalar(select(exists().where(ManagerScope.manager_id == user.id, ManagerScope.team_id == team_id)))
    )


def _mentors_owner(user: User, owner_id: int) -> bool:
    if not user.has_role("trainer"):
        return False
    return bool(
        db.session.scalar(select(exists().where(Mentorship.mentor_id == user.id, Mentorship.learner_id == owner_id)))
    )


def _mentors_member(user: User, team_id: int) -> bool:
    if not user.has_role("trainer"):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Mentorship.mentor_id == user.id,
                    Mentorship.learner_id == User.id,
                    User.team_id == team_id,
                    User.is_active.is_(True),
                )
            )
        )
    )


def is_member(user: User, objective: Objective) -> bool:
    """True when ``objective`` was set for the team ``user`` belongs to."""
    return objective.team_id is not None and user.team_id == objective.team_id


def can_change_objective(user: User, objective: Objective) -> bool:
    """Revise or review: the owner of a personal objective; a manager of the team of a team one."""
    if not user.is_authenticated:
        return False
    if objective.team_id is None:
        return objective.user_id == user.id
    return manages_team(user, objective.team_id)


def can_check_in(user: User, objective: Objective) -> bool:
    """The owner of a personal objective; each member of the team of a team one."""
    if not user.is_authenticated or objective.status != "active":
        return False
    if objective.team_id is None:
        return objective.user_id == user.id
    return is_member(user, objective)


def can_see_objective(user: User, objective: Objective) -> bool:
    """Whoever may change it or check in on it, and mentors: of the owner, or of a team member."""
    if not user.is_authenticated:
        return False
    if objective.team_id is None:
        return objective.user_id == user.id or _mentors_owner(user, objective.user_id)
    return (
        is_member(user, objective) or manages_team(user, objective.team_id) or _mentors_member(user, objective.team_id)
    )
