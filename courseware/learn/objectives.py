"""A learner's objectives, set by them or their manager; every change is kept as a revision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select, update

from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.learn.form_keys import add_once, clean_form_key, event_key
from courseware.learn.objective_rules import NOT_DUE, OVERDUE, ReviewDates, review_dates, review_days
from courseware.models import Objective, ObjectiveCheckIn, ObjectiveRevision, TeamObjective, User
from courseware.notifications.services import notify
from courseware.progress import rules
from courseware.progress.services import record_event

OBJECTIVE_FIELDS = ("title", "horizon", "measure_kind", "measure", "target_date", "status")
OBJECTIVE_FIELDS += ("unit", "baseline_value", "baseline_date", "target_value", "direction", "review_days", "rollup")


def objectives(user: User) -> list[Objective]:
    """The learner's own objectives (not those they set for a team): active ones first, then by target date."""
    return list(
        db.session.scalars(
            select(Objective)
            .where(Objective.user_id == user.id, ~Objective.team_link.has())
            .order_by(
                case((Objective.status == "active", 0), else_=1),
                Objective.target_date.is_(None),
                Objective.target_date,
                Objective.id,
            )
        )
    )


def set_objective(owner: User, author: User, values: dict, form_key: str | None = None) -> Objective:
    """Create an objective for ``owner`` with its first revision.

    The same form sent again, even at the same moment, gets the objective it made.
    """
    form_key = clean_form_key(form_key)
    objective = Objective(
        user_id=owner.id,
        **{name: values.get(name) for name in OBJECTIVE_FIELDS if name != "status"},
        status="active",
        form_key=form_key,
    )
    first_with_key = select(Objective).where(Objective.user_id == owner.id, Objective.form_key == form_key)
    objective, new = add_once(objective, first_with_key)
    if not new:
        return objective
    _add_objective_revision(objective, author, note=values.get("note"))
    record_event(
        owner,
        rules.SET_OBJECTIVE,
        detail={"objective_id": objective.id, "by": author.id},
        idempotency_key=event_key("objective", owner, form_key),
    )
    return objective


def _lock_for_revision(objective: Objective, form_key: str | None) -> ObjectiveRevision | None:
    """Lock the objective's row, so that its revisions are made one after another; the revision
    the form ``form_key`` already made, when it was sent before."""
    db.session.refresh(objective, with_for_update=True)
    if not form_key:
        return None
    return db.session.scalar(
        select(ObjectiveRevision).where(
            ObjectiveRevision.objective_id == objective.id, ObjectiveRevision.form_key == form_key
        )
    )


def revise_objective(
    objective: Objective, author: User, values: dict, form_key: str | None = None
) -> ObjectiveRevision | None:
    """Change an objective; each change is kept as a revision. Nothing happens when nothing changed.

    Revisions of one objective are made one after another (under a lock on its row), each
    compared with the one before; the same form sent again gets the revision it made.
    """
    form_key = clean_form_key(form_key)
    first = _lock_for_revision(objective, form_key)
    if first is not None:
        return first
    changed = {name for name in OBJECTIVE_FIELDS if values.get(name) != getattr(objective, name)}
    if not changed and not values.get("note"):
        return None
    for name in OBJECTIVE_FIELDS:
        setattr(objective, name, values.get(name))
    objective.updated_at = utcnow()
    revision = _add_objective_revision(objective, author, note=values.get("note"), form_key=form_key)
    owner = db.session.get(User, objective.user_id)
    record_event(
        owner,
        rules.REVISED_OBJECTIVE,
        detail={"objective_id": objective.id, "revision": revision.number, "by": author.id, "changed": sorted(changed)},
    )
    return revision


def _add_objective_revision(
    objective: Objective, author: User, note: str | None, form_key: str | None = None
) -> ObjectiveRevision:
    number = (
        db.session.scalar(
            select(func.max(ObjectiveRevision.number)).where(ObjectiveRevision.objective_id == objective.id)
        )
        or 0
    ) + 1
    revision = ObjectiveRevision(
        objective_id=objective.id,
        number=number,
        author_id=author.id,
        note=(note or "").strip() or None,
        form_key=form_key,
        **{name: getattr(objective, name) for name in OBJECTIVE_FIELDS},
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def objective_for(user: User, objective_id: int) -> Objective:
    """The learner's own objective; NotAllowed for anyone else's (a team's included)."""
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.user_id != user.id or objective.team_link is not None:
        raise NotAllowed(_("No such objective."))
    return objective


REVIEW_DECISIONS = ("keep", "revise", "retire")
# How many of the latest check-ins make an objective's recent trend in lists.
RECENT_CHECK_INS = 5


def review_defaults() -> dict[str, int]:
    """The organisation's days between reviews, by horizon."""
    config = current_app.config
    return {
        "short": config["OBJECTIVE_REVIEW_DAYS_SHORT"],
        "medium": config["OBJECTIVE_REVIEW_DAYS_MEDIUM"],
        "long": config["OBJECTIVE_REVIEW_DAYS_LONG"],
    }


def review_dates_of(objective: Objective) -> ReviewDates:
    """When the objective's next review is due and overdue: from its last review, or its creation."""
    last = objective.reviewed_at or objective.created_at
    return review_dates(last.date(), review_days(objective.horizon, objective.review_days, review_defaults()))


def people_overdue_for_review(today: dt.date) -> list[int]:
    """The people with one of their own active objectives overdue for review on ``today`` (two
    intervals without a review); objectives a manager set for a team are the team's, not theirs."""
    defaults = review_defaults()
    rows = db.session.execute(
        select(Objective.user_id, Objective.horizon, Objective.review_days, Objective.reviewed_at, Objective.created_at)
        .where(Objective.status == "active", Objective.id.not_in(select(TeamObjective.objective_id)))
        .order_by(Objective.user_id)
    )
    return sorted(
        {
            row.user_id
            for row in rows
            if review_dates(
                (row.reviewed_at or row.created_at).date(), review_days(row.horizon, row.review_days, defaults)
            ).state(today)
            == OVERDUE
        }
    )


def review_state(objective: Objective, today: dt.date) -> str:
    """ "due", "overdue" or "not_due"; an objective that is no longer active is never due."""
    if objective.status != "active":
        return NOT_DUE
    return review_dates_of(objective).state(today)


def review_objective(
    objective: Objective, author: User, decision: str, learned: str, form_key: str | None = None
) -> ObjectiveRevision:
    """Review an objective: keep it, mark it for revision or retire it, with what the person learned.

    The answer is a revision of its own; retiring sets the status to "retired". The next review
    falls due one interval from now. The same form sent again gets the revision it made.
    """
    if decision not in REVIEW_DECISIONS:
        raise Invalid(_("Choose keep, revise or retire."))
    learned = (learned or "").strip()
    if not learned:
        raise Invalid(_("Say what you learned."))
    form_key = clean_form_key(form_key)
    first = _lock_for_revision(objective, form_key)
    if first is not None:
        return first
    if decision == "retire":
        objective.status = "retired"
    objective.reviewed_at = objective.updated_at = utcnow()
    revision = _add_objective_revision(objective, author, note=None, form_key=form_key)
    revision.review_decision = decision
    revision.learned = learned
    owner = db.session.get(User, objective.user_id)
    record_event(
        author,
        rules.REVIEWED_OBJECTIVE,
        text_length=len(learned),
        detail={
            "objective_id": objective.id,
            "revision": revision.number,
            "decision": decision,
            "owner": owner.id,
        },
    )
    return revision


def _objective_path(objective_id: int) -> str:
    # Site-relative, as notifications link; built without a request, so that the daily command can too.
    return current_app.url_map.bind("localhost").build("learn.objective", {"objective_id": objective_id})


def prompt_all_due_reviews(today: dt.date) -> int:
    """Prompt everyone with an active objective whose review is due; how many were told now."""
    owners = db.session.scalars(
        select(User).where(User.id.in_(select(Objective.user_id).where(Objective.status == "active")), User.is_active)
    )
    return sum(prompt_due_reviews(owner, today) for owner in owners)


@dataclass(frozen=True)
class DueReview:
    objective: Objective
    state: str
    due_on: dt.date


def due_reviews(user: User, today: dt.date) -> list[DueReview]:
    """The person's active objectives (their own, and those they set for a team) due or overdue
    for review on ``today``, most overdue first."""
    found = []
    for objective in db.session.scalars(
        select(Objective).where(Objective.user_id == user.id, Objective.status == "active").order_by(Objective.id)
    ):
        dates = review_dates_of(objective)
        state = dates.state(today)
        if state != NOT_DUE:
            found.append(DueReview(objective, state, dates.due_on))
    return sorted(found, key=lambda due: (due.due_on, due.objective.id))


def prompt_due_reviews(user: User, today: dt.date) -> int:
    """Tell the person, in the app, of each objective whose review has fallen due: once per due
    period, however often this runs (the conditional update decides between two runs at once).
    Returns how many were told now."""
    told = 0
    for due in due_reviews(user, today):
        claimed = db.session.execute(
            update(Objective)
            .where(
                Objective.id == due.objective.id,
                or_(Objective.review_prompted_on.is_(None), Objective.review_prompted_on != due.due_on),
            )
            .values(review_prompted_on=due.due_on)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        notify(
            user,
            "objective-review",
            _("Time to review your objective: %(title)s", title=due.objective.title),
            _objective_path(due.objective.id) + "#review",
        )
        told += 1
    return told


def team_objectives_of(user: User) -> list[Objective]:
    """The objectives set for the person's team, active ones first."""
    if user.team_id is None:
        return []
    return list(
        db.session.scalars(
            select(Objective)
            .join(TeamObjective, TeamObjective.objective_id == Objective.id)
            .where(TeamObjective.team_id == user.team_id)
            .order_by(case((Objective.status == "active", 0), else_=1), Objective.id)
        )
    )


@dataclass(frozen=True)
class Summary:
    """An objective in a list: how many check-ins, the latest, its recent trend and how it is going."""

    objective: Objective
    check_ins: int
    latest: ObjectiveCheckIn | None
    standing: str | None
    review: str
    recent: tuple[float, ...] = ()  # the figures of its last few check-ins, oldest first


def summaries(objectives: list[Objective], today: dt.date) -> list[Summary]:
    """Each objective with its check-ins counted and judged (one query for all their check-ins)."""
    from courseware.learn.check_ins import progress

    by_objective: dict[int, list[ObjectiveCheckIn]] = {objective.id: [] for objective in objectives}
    if by_objective:
        for item in db.session.scalars(
            select(ObjectiveCheckIn)
            .where(ObjectiveCheckIn.objective_id.in_(by_objective), ObjectiveCheckIn.deleted_at.is_(None))
            .order_by(ObjectiveCheckIn.on_date, ObjectiveCheckIn.id)
        ):
            by_objective[item.objective_id].append(item)
    found = []
    for objective in objectives:
        items = by_objective[objective.id]
        shown = progress(objective, items)
        figures = [point.value for point in shown.points if point.label == "Check-in"]
        found.append(
            Summary(
                objective,
                len(items),
                items[-1] if items else None,
                shown.standing,
                review_state(objective, today),
                tuple(figures[-RECENT_CHECK_INS:]),
            )
        )
    return found
