"""Check-ins: how an objective is going on a date. Every state of a check-in is kept as a revision,
its deletion included; only its author changes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.learn.form_keys import add_once, clean_form_key, event_key
from courseware.learn.objective_rules import Plan, roll_up, standing
from courseware.models import CHECK_IN_FIELDS, CheckInRevision, JournalEntry, Objective, ObjectiveCheckIn, User
from courseware.progress import rules
from courseware.progress.services import record_event


def check_ins(objective: Objective, author: User | None = None) -> list[ObjectiveCheckIn]:
    """The objective's standing check-ins (deleted ones left out), oldest first; one author's only
    when ``author`` is given."""
    statement = (
        select(ObjectiveCheckIn)
        .where(ObjectiveCheckIn.objective_id == objective.id, ObjectiveCheckIn.deleted_at.is_(None))
        .order_by(ObjectiveCheckIn.on_date, ObjectiveCheckIn.id)
    )
    if author is not None:
        statement = statement.where(ObjectiveCheckIn.author_id == author.id)
    return list(db.session.scalars(statement.options(joinedload(ObjectiveCheckIn.author))))


def changed_check_ins(items: list[ObjectiveCheckIn]) -> set[int]:
    """The ids of those check-ins that were changed after they were made (one query for them all)."""
    if not items:
        return set()
    counted = (
        select(CheckInRevision.check_in_id)
        .where(CheckInRevision.check_in_id.in_([item.id for item in items]))
        .group_by(CheckInRevision.check_in_id)
        .having(func.count() > 1)
    )
    return set(db.session.scalars(counted))


def _clean(objective: Objective, author: User, values: dict) -> dict:
    """The check-in's fields, with what does not fit the objective's kind left out."""
    cleaned = {name: values.get(name) for name in CHECK_IN_FIELDS}
    if cleaned["on_date"] is None:
        raise Invalid(_("Give the date of the check-in."))
    cleaned["note"] = (cleaned["note"] or "").strip() or None
    cleaned["link"] = (cleaned["link"] or "").strip() or None
    if objective.measure_kind == "quantitative":
        if cleaned["value"] is None:
            raise Invalid(_("Give the value on that date."))
        cleaned["rating"] = None
        cleaned["journal_entry_ids"] = None
    else:
        if cleaned["rating"] not in (1, 2, 3, 4, 5):
            raise Invalid(_("Say how it is going, from 1 to 5."))
        cleaned["value"] = None
        cleaned["journal_entry_ids"] = own_entry_ids(author, cleaned["journal_entry_ids"] or []) or None
    return cleaned


def own_entry_ids(author: User, entry_ids: list[int]) -> list[int]:
    """Those of ``entry_ids`` that are the author's own journal entries, in order; others are refused."""
    if not entry_ids:
        return []
    own = set(
        db.session.scalars(
            select(JournalEntry.id).where(JournalEntry.user_id == author.id, JournalEntry.id.in_(entry_ids))
        )
    )
    if own != set(entry_ids):
        raise Invalid(_("Link only entries from your own journal."))
    return sorted(own)


def add_check_in(objective: Objective, author: User, values: dict, form_key: str | None = None) -> ObjectiveCheckIn:
    """Record how the objective is going on a date, as its first revision and an event in the log.

    Refuses (Invalid) a check-in without a value (quantitative) or a 1–5 rating (qualitative).
    The same form sent again gets the check-in it made.
    """
    form_key = clean_form_key(form_key)
    cleaned = _clean(objective, author, values)
    now = utcnow()
    check_in = ObjectiveCheckIn(
        objective_id=objective.id, author_id=author.id, form_key=form_key, created_at=now, updated_at=now, **cleaned
    )
    first_with_key = select(ObjectiveCheckIn).where(
        ObjectiveCheckIn.objective_id == objective.id, ObjectiveCheckIn.form_key == form_key
    )
    check_in, new = add_once(check_in, first_with_key)
    if not new:
        return check_in
    _add_revision(check_in, author)
    result = cleaned["value"] if cleaned["value"] is not None else cleaned["rating"]
    record_event(
        author,
        rules.CHECKED_IN,
        score=result,
        text_length=len(cleaned["note"] or ""),
        detail={
            "objective_id": objective.id,
            "check_in_id": check_in.id,
            "on": cleaned["on_date"].isoformat(),
            "value": cleaned["value"],
            "rating": cleaned["rating"],
            "unit": objective.unit,
        },
        idempotency_key=event_key("check-in", author, form_key),
    )
    return check_in


def check_in_for(author: User, objective: Objective, check_in_id: int) -> ObjectiveCheckIn:
    """A standing check-in of ``objective`` made by ``author``; NotAllowed for any other."""
    check_in = db.session.get(ObjectiveCheckIn, check_in_id)
    if (
        check_in is None
        or check_in.objective_id != objective.id
        or check_in.author_id != author.id
        or check_in.deleted_at is not None
    ):
        raise NotAllowed(_("No such check-in."))
    return check_in


def edit_check_in(check_in: ObjectiveCheckIn, author: User, values: dict) -> CheckInRevision | None:
    """Change a check-in; the earlier state stays in its revisions. None when nothing changed."""
    db.session.refresh(check_in, with_for_update=True)
    objective = db.session.get(Objective, check_in.objective_id)
    cleaned = _clean(objective, author, values)
    if all(cleaned[name] == getattr(check_in, name) for name in CHECK_IN_FIELDS):
        return None
    for name, value in cleaned.items():
        setattr(check_in, name, value)
    check_in.updated_at = utcnow()
    return _add_revision(check_in, author)


def delete_check_in(check_in: ObjectiveCheckIn, author: User) -> CheckInRevision | None:
    """Take a check-in off the objective; its row and every revision are kept. None when it was
    deleted already (a second click)."""
    db.session.refresh(check_in, with_for_update=True)
    if check_in.deleted_at is not None:
        return None
    check_in.deleted_at = check_in.updated_at = utcnow()
    return _add_revision(check_in, author, deleted=True)


def _add_revision(check_in: ObjectiveCheckIn, author: User, deleted: bool = False) -> CheckInRevision:
    number = (
        db.session.scalar(select(func.max(CheckInRevision.number)).where(CheckInRevision.check_in_id == check_in.id))
        or 0
    ) + 1
    revision = CheckInRevision(
        check_in_id=check_in.id,
        number=number,
        deleted=deleted,
        author_id=author.id,
        created_at=utcnow(),
        **{name: getattr(check_in, name) for name in CHECK_IN_FIELDS},
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def plan_of(objective: Objective) -> Plan:
    baseline_date = objective.baseline_date
    if baseline_date is None and objective.baseline_value is not None:
        baseline_date = objective.created_at.date()
    return Plan(
        direction=objective.direction,
        baseline_value=objective.baseline_value,
        baseline_date=baseline_date,
        target_value=objective.target_value,
        target_date=objective.target_date,
    )


@dataclass(frozen=True)
class Point:
    """One row of an objective's progress table: a date, the value then, and where the line stood."""

    on_date: dt.date
    value: float | None
    expected: float | None
    label: str


@dataclass(frozen=True)
class Progress:
    plan: Plan
    points: list[Point]
    standing: str | None


def progress(objective: Objective, items: list[ObjectiveCheckIn]) -> Progress:
    """The numbers the objective's chart and table show, and how it is going.

    A personal objective's points are its check-ins; a team objective's points are the team's
    figure (rolled up as the objective says) after each check-in. The baseline and the target
    are points of their own, so the line from one to the other is drawn.
    """
    plan = plan_of(objective)
    team = objective.team_link is not None
    points: list[Point] = []
    if plan.baseline_value is not None and plan.baseline_date is not None:
        points.append(Point(plan.baseline_date, plan.baseline_value, plan.baseline_value, "Baseline"))
    latest = None
    readings: list[tuple[int, dt.date, int, float]] = []
    for item in items:
        reading = item.value if item.value is not None else item.rating
        if reading is None:
            continue
        if team:
            readings.append((item.author_id, item.on_date, item.id, float(reading)))
            figure = roll_up(readings, objective.rollup or "latest")
        else:
            figure = float(reading)
        points.append(Point(item.on_date, figure, plan.expected_on(item.on_date), "Check-in"))
        latest = (item.on_date, figure)
    if plan.target_value is not None and plan.target_date is not None:
        points.append(Point(plan.target_date, None, plan.target_value, "Target"))
    points.sort(key=lambda point: (point.on_date, point.label != "Baseline", point.label == "Target"))
    judged = standing(plan, latest) if objective.measure_kind == "quantitative" else None
    return Progress(plan, points, judged)
