"""A learner's objectives, set by them or their manager; every change is kept as a revision."""

from __future__ import annotations

from sqlalchemy import case, func, select

from courseware.db import utcnow
from courseware.exceptions import NotAllowed
from courseware.extensions import db
from courseware.learn.form_keys import add_once, clean_form_key, event_key
from courseware.models import Objective, ObjectiveRevision, User
from courseware.progress import rules
from courseware.progress.services import record_event

OBJECTIVE_FIELDS = ("title", "horizon", "measure_kind", "measure", "target_date", "status")


def objectives(user: User) -> list[Objective]:
    """The learner's objectives: active ones first, then by target date."""
    return list(
        db.session.scalars(
            select(Objective)
            .where(Objective.user_id == user.id)
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


def revise_objective(
    objective: Objective, author: User, values: dict, form_key: str | None = None
) -> ObjectiveRevision | None:
    """Change an objective; each change is kept as a revision. Nothing happens when nothing changed.

    Revisions of one objective are made one after another (under a lock on its row), each
    compared with the one before; the same form sent again gets the revision it made.
    """
    form_key = clean_form_key(form_key)
    db.session.refresh(objective, with_for_update=True)
    if form_key:
        first = db.session.scalar(
            select(ObjectiveRevision).where(
                ObjectiveRevision.objective_id == objective.id, ObjectiveRevision.form_key == form_key
            )
        )
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
    """The learner's own objective; NotAllowed for anyone else's."""
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.user_id != user.id:
        raise NotAllowed("No such objective.")
    return objective
