"""objectives are measured, checked in on, reviewed, and can be set for a team

- Objectives and their revisions gain a unit, a baseline (value and date), a target value, the
  direction that counts as better, a review interval and, for a team objective, how the
  members' check-ins are rolled up. Objectives also keep when they were last reviewed, the due
  date the owner was last told about. Revisions keep a review's decision and what the person
  learned.
- ``team_objectives``: the team an objective was set for by its manager.
- ``objective_check_ins``: how an objective is going on a date (a value or a 1–5 rating, a note,
  a link, journal entries); ``check_in_revisions`` keeps each state of a check-in, its deletion
  included.

Only tables and columns are added, so existing rows are never touched.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MEASURED = (
    ("unit", sa.String(length=120)),
    ("baseline_value", sa.Float()),
    ("baseline_date", sa.Date()),
    ("target_value", sa.Float()),
    ("direction", sa.String(length=10)),
    ("review_days", sa.Integer()),
    ("rollup", sa.String(length=10)),
)
OBJECTIVE_ONLY = (
    ("reviewed_at", sa.DateTime(timezone=True)),
    ("review_prompted_on", sa.Date()),
)
REVISION_ONLY = (
    ("review_decision", sa.String(length=10)),
    ("learned", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("objectives", recreate="never") as batch_op:
        for name, type_ in MEASURED + OBJECTIVE_ONLY:
            batch_op.add_column(sa.Column(name, type_, nullable=True))

    op.create_table(
        "team_objectives",
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objectives.id"],
            name=op.f("fk_team_objectives_objective_id_objectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_objectives_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("objective_id", name=op.f("pk_team_objectives")),
    )
    op.create_index("ix_team_objectives_team_id", "team_objectives", ["team_id"])
    with op.batch_alter_table("objective_revisions", recreate="never") as batch_op:
        for name, type_ in MEASURED + REVISION_ONLY:
            batch_op.add_column(sa.Column(name, type_, nullable=True))

    op.create_table(
        "objective_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("journal_entry_ids", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("form_key", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name=op.f("ck_objective_check_ins_rating")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_objective_check_ins_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objectives.id"],
            name=op.f("fk_objective_check_ins_objective_id_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_check_ins")),
    )
    op.create_index("ix_objective_check_ins_author_id", "objective_check_ins", ["author_id"])
    op.create_index("ix_objective_check_ins_objective_id_on_date", "objective_check_ins", ["objective_id", "on_date"])
    op.create_index(
        "uq_objective_check_ins_objective_id_form_key", "objective_check_ins", ["objective_id", "form_key"], unique=True
    )

    op.create_table(
        "check_in_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("journal_entry_ids", sa.JSON(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_check_in_revisions_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["objective_check_ins.id"],
            name=op.f("fk_check_in_revisions_check_in_id_objective_check_ins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in_revisions")),
        sa.UniqueConstraint("check_in_id", "number", name=op.f("uq_check_in_revisions_check_in_id_number")),
    )


def downgrade() -> None:
    op.drop_table("check_in_revisions")
    op.drop_index("uq_objective_check_ins_objective_id_form_key", table_name="objective_check_ins")
    op.drop_index("ix_objective_check_ins_objective_id_on_date", table_name="objective_check_ins")
    op.drop_index("ix_objective_check_ins_author_id", table_name="objective_check_ins")
    op.drop_table("objective_check_ins")
    # Dropped in place: rebuilding objectives on SQLite would delete the revisions that point at them.
    with op.batch_alter_table("objective_revisions", recreate="never") as batch_op:
        for name, _ in reversed(MEASURED + REVISION_ONLY):
            batch_op.drop_column(name)
    op.drop_index("ix_team_objectives_team_id", table_name="team_objectives")
    op.drop_table("team_objectives")
    with op.batch_alter_table("objectives", recreate="never") as batch_op:
        for name, _ in reversed(MEASURED + OBJECTIVE_ONLY):
            batch_op.drop_column(name)
