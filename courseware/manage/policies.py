"""Whom a manager may see: the people of the teams they manage; an admin sees everyone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true

from courseware.auth.policies import manages
from courseware.extensions import db
from courseware.models import ManagerScope, Team, User


@dataclass(frozen=True)
class Scope:
    """The teams a manager sees; ``team_ids`` is None for an admin, who sees everyone."""

    team_ids: tuple[int, ...] | None

    @property
    def everyone(self) -> bool:
        return self.team_ids is None

    def covers_team(self, team_id: int | None) -> bool:
        return self.everyone or team_id in self.team_ids

    def people(self) -> ColumnElement[bool]:
        """A condition on ``User`` selecting the people in scope."""
        return true() if self.everyone else User.team_id.in_(self.team_ids)


def scope_of(user: User) -> Scope:
    """The scope of a manager or admin; a person with neither role sees nobody."""
    if user.has_role("admin"):
        return Scope(None)
    if not user.has_role("manager"):
        return Scope(())
    return Scope(tuple(db.session.scalars(select(ManagerScope.team_id).where(ManagerScope.manager_id == user.id))))


def teams_in_scope(scope: Scope) -> list:
    """(id, name) of the teams in scope, by name."""
    statement = select(Team.id, Team.name).order_by(Team.name)
    if not scope.everyone:
        statement = statement.where(Team.id.in_(scope.team_ids))
    return db.session.execute(statement).all()


def person_in_scope(manager: User, user_id: int) -> User | None:
    """The person with ``user_id`` when ``manager`` may see them, else None (views answer 404,
    so that people outside the scope look exactly like people who don't exist)."""
    person = db.session.get(User, user_id)
    if person is None or not manages(manager, person):
        return None
    return person
