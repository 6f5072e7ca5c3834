"""Inviting people in bulk from a CSV file: read and check every row first, then invite them all
or nobody."""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from courseware.auth import services
from courseware.core.validators import has_control_characters
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import ROLES, Invitation, Team, User, fold_team_name

log = logging.getLogger(__name__)

MAX_ROWS = 1000
MAX_BYTES = 1024 * 1024
COLUMNS = ("email", "name", "team", "roles")
_HEADER_NAMES = {
    "email": "email",
    "e-mail": "email",
    "e mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "name": "name",
    "full name": "name",
    "team": "team",
    "roles": "roles",
    "role": "roles",
}


@dataclass
class BulkRow:
    number: int
    email: str
    name: str
    team_name: str
    roles: list[str]
    team: Team | None = None
    errors: list[str] = field(default_factory=list)
    replaces: bool = False


@dataclass
class BulkPlan:
    """What a CSV file would do: its rows, each with what is wrong with it, and the problems of
    the file as a whole. Nothing is written while it is made."""

    rows: list[BulkRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[BulkRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.bad_rows and bool(self.rows)


def decode_csv(data: bytes) -> str:
    """The text of an uploaded file; refuses one that is too large or not UTF-8 text."""
    if len(data) > MAX_BYTES:
        raise Invalid(_("The file is larger than %(size)d KB; split it into smaller files.", size=MAX_BYTES // 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from None


def _dialect(text: str):
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_invitation_csv(text: str) -> BulkPlan:
    """Check every row of a CSV of invitations (columns e-mail, name, team, roles; a header row
    first) against the site as it is, and say for each row what is wrong with it, by row number."""
    plan = BulkPlan()
    if not text.strip():
        plan.problems.append(
            _("The file is empty. Put a header row (e-mail, name, team, roles) and one row per person.")
        )
        return plan
    if len(text.encode()) > MAX_BYTES:
        plan.problems.append(
            _("The file is larger than %(size)d KB; split it into smaller files.", size=MAX_BYTES // 1024)
        )
        return plan
    if "\x00" in text:
        plan.problems.append(_("The file is not CSV text. Save it as “CSV UTF-8” and try again."))
        return plan
    reader = csv.reader(io.StringIO(text), _dialect(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        plan.problems.append(_("Row %(row)d cannot be read as CSV: %(error)s.", row=1, error=exc))
        return plan
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _HEADER_NAMES.get(" ".join(raw.strip().lower().replace("_", " ").split()))
        if name is None:
            if raw.strip():
                plan.problems.append(
                    _(
                        "Row 1 has a column “%(column)s” that is not one of e-mail, name, team, roles.",
                        column=raw.strip()[:40],
                    )
                )
            continue
        if name in columns:
            plan.problems.append(_("Row 1 names the %(column)s column twice.", column=name))
        columns[name] = index
    if "email" not in columns:
        plan.problems.append(_("Row 1 must be a header naming the columns, with at least an “e-mail” column."))
    if plan.problems:
        return plan
    teams = {team.folded_name: team for team in db.session.scalars(select(Team))}
    seen: dict[str, int] = {}
    try:
        for values in reader:
            number = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(plan.rows) >= MAX_ROWS:
                plan.problems.append(
                    _("The file has more than %(num)d people; split it into smaller files.", num=MAX_ROWS)
                )
                break
            cell = {name: values[i].strip() if i < len(values) else "" for name, i in columns.items()}
            row = BulkRow(
                number=number,
                email=cell.get("email", ""),
                name=cell.get("name", ""),
                team_name=cell.get("team", ""),
                roles=[],
            )
            _check_row(row, cell.get("roles", ""), teams, seen)
            plan.rows.append(row)
    except csv.Error as exc:
        plan.problems.append(_("Row %(row)d cannot be read as CSV: %(error)s.", row=reader.line_num, error=exc))
    if not plan.rows and not plan.problems:
        plan.problems.append(_("The file has a header row but nobody in it."))
    _check_existing(plan)
    return plan


def _check_row(row: BulkRow, roles: str, teams: dict[str, Team], seen: dict[str, int]) -> None:
    if not row.email:
        row.errors.append(_("The e-mail address is missing."))
    else:
        try:
            row.email = validate_email(row.email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            row.errors.append(_("“%(email)s” is not a valid e-mail address.", email=row.email[:80]))
        else:
            if row.email in seen:
                row.errors.append(_("The same address is on row %(row)d.", row=seen[row.email]))
            else:
                seen[row.email] = row.number
    if len(row.name) > 120:
        row.errors.append(_("The name is longer than %(num)d characters.", num=120))
    elif has_control_characters(row.name):
        row.errors.append(_("The name must be one line of text."))
    if row.team_name:
        row.team = teams.get(fold_team_name(row.team_name))
        if row.team is None:
            row.errors.append(
                _(
                    "There is no team called “%(team)s”: create it on the Teams page first.",
                    team=row.team_name[:80],
                )
            )
    wanted = [role for role in re.split(r"[\s,;|/+]+", roles.lower()) if role]
    unknown = [role for role in wanted if role not in ROLES]
    if unknown:
        row.errors.append(
            ngettext(
                "Unknown role “%(roles)s”: use %(known)s.",
                "Unknown roles “%(roles)s”: use %(known)s.",
                len(unknown),
                roles=", ".join(unknown)[:80],
                known=", ".join(ROLES),
            )
        )
    row.roles = sorted(set(wanted) & set(ROLES) | {"learner"})


def _check_existing(plan: BulkPlan) -> None:
    emails = [row.email for row in plan.rows if row.email and not row.errors]
    if not emails:
        return
    taken = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    open_invitations = set(
        db.session.scalars(
            select(Invitation.email).where(
                Invitation.email.in_(emails), Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
            )
        )
    )
    for row in plan.rows:
        if row.email in taken:
            row.errors.append(_("This person already has an account."))
        elif row.email in open_invitations:
            row.replaces = True


@dataclass
class BulkInvited:
    invitation: Invitation
    token: str
    queued: bool


def invite_in_bulk(plan: BulkPlan, actor: User) -> list[BulkInvited]:
    """Invite every row of a plan that has no problem at all, or nobody: the first refusal undoes
    every invitation made before it (:class:`Invalid` names the row)."""
    if not plan.ok:
        raise Invalid(_("Fix the rows marked in the file first; nobody was invited."))
    made = []
    with db.session.begin_nested():
        for row in plan.rows:
            try:
                invitation, token = services.invite(row.email, row.roles, row.team, actor)
            except Invalid as exc:
                raise Invalid(
                    _("Row %(row)d: %(error)s Nobody was invited.", row=row.number, error=exc.message)
                ) from None
            invitation.name = row.name or None
            made.append(BulkInvited(invitation, token, services.queue_invitation_email(invitation, token, actor)))
    log.info("%s invited %d people from a CSV file", actor.email, len(made))
    return made
