"""the database keeps one row where two requests at once would make two

- Journal entries, objectives, objective revisions and practice submissions keep the key of the
  form they were made from, unique per owner: the same form sent twice, even at the same moment
  from two requests, makes one row. Rows made before this have no key.
- Team names are unique whatever their case, through their case-folded form. Existing teams whose
  names differ only in case: the oldest keeps its name, each later one is renamed "<name> (<id>)"
  and the renaming is logged.
- An address has at most one open invitation. Where several are open, the newest stays open and
  the older ones are marked revoked now (their links already stopped working once a newer one
  was sent); the number revoked is logged.

Only columns and indexes are added (no table is rebuilt), so rows that point at these tables are
never touched on SQLite either.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 23:00:00
"""

import datetime as dt
import logging

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

FORM_KEYED = (
    ("journal_entries", "user_id"),
    ("objectives", "user_id"),
    ("objective_revisions", "objective_id"),
    ("submissions", "user_id"),
)
OPEN = "accepted_at IS NULL AND revoked_at IS NULL"
TEAM_NAME_LENGTH = 120


def upgrade() -> None:
    for table, owner in FORM_KEYED:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("form_key", sa.String(length=40), nullable=True))
        op.create_index(f"uq_{table}_{owner}_form_key", table, [owner, "form_key"], unique=True)

    with op.batch_alter_table("teams", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("folded_name", sa.String(length=360), nullable=True))
    _fold_team_names()
    op.create_index("uq_teams_folded_name", "teams", ["folded_name"], unique=True)

    _revoke_all_but_the_newest_open_invitation()
    op.create_index(
        "uq_invitations_email_open",
        "invitations",
        ["email"],
        unique=True,
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_invitations_email_open", table_name="invitations")
    op.drop_index("uq_teams_folded_name", table_name="teams")
    with op.batch_alter_table("teams", recreate="never") as batch_op:
        batch_op.drop_column("folded_name")
    for table, owner in reversed(FORM_KEYED):
        op.drop_index(f"uq_{table}_{owner}_form_key", table_name=table)
        # Dropped in place: rebuilding submissions or objectives on SQLite would delete the
        # reviews and revisions that point at them.
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column("form_key")


def _fold(name: str) -> str:
    # As ``courseware.models.accounts.fold_team_name`` does (kept here: a migration must not change with the app).
    return name.strip().casefold()


def _fold_team_names() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM teams ORDER BY id")).all()
    taken = {_fold(name) for _, name in rows}
    seen: set[str] = set()
    for team_id, name in rows:
        folded = _fold(name)
        if folded in seen:
            renamed, attempt = name, 1
            while _fold(renamed) in taken:
                suffix = f" ({team_id})" if attempt == 1 else f" ({team_id}-{attempt})"
                renamed = name.strip()[: TEAM_NAME_LENGTH - len(suffix)] + suffix
                attempt += 1
            log.warning("team %s: %r differs from an older team's name only in case; renamed %r", team_id, name, renamed)
            name, folded = renamed, _fold(renamed)
            taken.add(folded)
        seen.add(folded)
        connection.execute(
            sa.text("UPDATE teams SET name = :name, folded_name = :folded WHERE id = :id"),
            {"name": name, "folded": folded, "id": team_id},
        )


def _revoke_all_but_the_newest_open_invitation() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT id, lower(email) FROM invitations WHERE {OPEN} ORDER BY created_at DESC, id DESC")
    ).all()
    newest: set[str] = set()
    older = []
    for invitation_id, folded in rows:
        if folded in newest:
            older.append(invitation_id)
        else:
            newest.add(folded)
    if older:
        invitations = sa.table("invitations", sa.column("id"), sa.column("revoked_at", sa.DateTime(timezone=True)))
        now = dt.datetime.now(dt.UTC)
        if connection.dialect.name == "sqlite":
            now = now.replace(tzinfo=None)
        connection.execute(invitations.update().where(invitations.c.id.in_(older)).values(revoked_at=now))
        log.warning("revoked %d older open invitation(s) to addresses that had a newer one", len(older))
