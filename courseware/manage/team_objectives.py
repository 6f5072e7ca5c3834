"""Team objectives on the managers' side: a manager sets an objective for a team they manage; the
team's page lists its objectives with the members' check-ins rolled up; the overview's panel
shows those due or overdue for review and those behind.

Its own blueprint under ``/manage``, so that the managers' other pages are untouched by it.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from courseware.auth.policies import role_required
from courseware.core.links import site_path
from courseware.db import utcnow
from courseware.extensions import db
from courseware.learn import objectives as learn_objectives
from courseware.learn.forms import TeamObjectiveForm
from courseware.learn.objective_policies import manages_team
from courseware.manage.policies import Scope, teams_in_scope
from courseware.manage.wording import in_language_of
from courseware.models import Objective, Team, TeamObjective, User
from courseware.notifications.services import notify

bp = Blueprint("team_objectives", __name__)


def set_team_objective(team: Team, manager: User, values: dict, form_key: str | None = None) -> Objective:
    """Set an objective for every member of ``team``; each active member is told in the app.
    The same form sent again gets the objective it made, and tells nobody twice."""
    objective = learn_objectives.set_objective(manager, manager, values, form_key)
    if objective.team_link is not None:
        return objective
    objective.team_link = TeamObjective(objective_id=objective.id, team_id=team.id)
    db.session.flush()
    members = db.session.scalars(select(User).where(User.team_id == team.id, User.is_active, User.id != manager.id))
    for member in members:
        with in_language_of(member):
            told = _(
                "%(name)s set an objective for %(team)s: %(title)s",
                name=manager.name,
                team=team.name,
                title=objective.title,
            )
        notify(member, "objective", told, site_path("learn.objective", objective_id=objective.id))
    return objective


def team_objectives(team_ids: tuple[int, ...] | None) -> list[Objective]:
    """Team objectives of the given teams (all teams for None), active first, then newest."""
    statement = select(Objective).join(TeamObjective, TeamObjective.objective_id == Objective.id)
    if team_ids is not None:
        statement = statement.where(TeamObjective.team_id.in_(team_ids))
    return list(db.session.scalars(statement.order_by(Objective.status != "active", Objective.id.desc())))


def needing_attention(scope: Scope, today: dt.date) -> list[learn_objectives.Summary]:
    """The overview's panel: team objectives in scope that are due or overdue for review, or behind."""
    summaries = learn_objectives.summaries(team_objectives(scope.team_ids), today)
    return [
        s for s in summaries if s.objective.status == "active" and (s.review != "not_due" or s.standing == "behind")
    ]


def _team(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or not manages_team(current_user, team.id):
        abort(404)
    return team


@bp.route("/teams/<id:team_id>/objectives", methods=["GET", "POST"])
@role_required("manager", "admin")
def team_page(team_id: int):
    """A team's objectives with the members' check-ins rolled up, and a form to set a new one;
    404 for a team the manager does not manage."""
    team = _team(team_id)
    form = TeamObjectiveForm()
    if form.validate_on_submit():
        objective = set_team_objective(team, current_user, form.values(), form.form_key.data)
        db.session.commit()
        flash(_("Team objective saved; each member was told."), "success")
        return redirect(url_for("learn.objective", objective_id=objective.id))
    return render_template(
        "manage/team_objectives.html",
        team=team,
        form=form,
        summaries=learn_objectives.summaries(team_objectives((team.id,)), utcnow().date()),
    ), 422 if form.errors else 200


def overview_panel(scope: Scope, teams: list) -> dict:
    """What the overview's team-objectives panel shows: those needing attention in ``scope``, and
    a link to each team's objectives (``teams``, as the overview has them; every team for an admin)."""
    return {
        "attention": needing_attention(scope, utcnow().date()),
        "team_links": [(team.id, team.name) for team in (teams_in_scope(scope) if scope.everyone else teams)],
    }
