"""a durable queue for work that outlives a request, and a record of every email delivered

- ``jobs``: one row per piece of background work (an email, a password reset), written in the
  transaction of the change that causes it and worked through by ``flask --app app worker``.
  Its ``key`` is unique, so the same work queued twice is one job; ``(state, run_after)`` is
  indexed for the worker's "what is due next" query.
- ``mail_deliveries``: the key of every message the mail server accepted, written the moment it
  did, so that a job run again after a crash never sends that message twice.

Only new tables: nothing existing is touched, and going down drops them with what they hold.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import courseware.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", courseware.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", courseware.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", courseware.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", courseware.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_jobs_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"], unique=False)
    op.create_table(
        "mail_deliveries",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", courseware.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_mail_deliveries_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_mail_deliveries")),
    )
    op.create_index("ix_mail_deliveries_job_id", "mail_deliveries", ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_mail_deliveries_job_id", table_name="mail_deliveries")
    op.drop_table("mail_deliveries")
    op.drop_index("ix_jobs_state_run_after", table_name="jobs")
    op.drop_table("jobs")
