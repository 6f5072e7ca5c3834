"""accounts people manage themselves, and assignments that follow people

- email_changes: a new address waiting for its confirmation link (hashed token, expiry, use).
- team_assignments: a course assigned to a team as a rule, with its due date; people who join the
  team later are enrolled by it.
- invitations.name: the name an admin gave with a bulk invitation.

Revision ID: 0018
Revises: 0012
Create Date: 2027-03-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_changes")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_changes_token_hash")),
    )
    op.create_index(op.f("ix_email_changes_user_id"), "email_changes", ["user_id"], unique=False)
    op.create_table(
        "team_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_assignments_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_team_assignments_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_team_assignments_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_assignments")),
        sa.UniqueConstraint("team_id", "course_id", name=op.f("uq_team_assignments_team_id_course_id")),
    )
    op.create_index(op.f("ix_team_assignments_team_id"), "team_assignments", ["team_id"], unique=False)
    op.create_index(op.f("ix_team_assignments_course_id"), "team_assignments", ["course_id"], unique=False)
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("name", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("name")
    op.drop_index(op.f("ix_team_assignments_course_id"), table_name="team_assignments")
    op.drop_index(op.f("ix_team_assignments_team_id"), table_name="team_assignments")
    op.drop_table("team_assignments")
    op.drop_index(op.f("ix_email_changes_user_id"), table_name="email_changes")
    op.drop_table("email_changes")
