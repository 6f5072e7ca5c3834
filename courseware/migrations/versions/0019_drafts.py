"""drafts, and forms kept when a session ended

- drafts: a person's unsent text in one form, saved as they type or with "Save draft".
- unsent_forms: what a form sent after its session had ended held, kept under the digest of a
  token in a short-lived cookie until the person signs in again.

Revision ID: 0019
Revises: 0012
Create Date: 2027-03-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_drafts_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("user_id", "form", name=op.f("uq_drafts_user_id_form")),
    )
    op.create_table(
        "unsent_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("form", sa.String(length=200), nullable=False),
        sa.Column("page", sa.String(length=500), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_unsent_forms_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsent_forms")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_unsent_forms_token_hash")),
    )
    op.create_index(op.f("ix_unsent_forms_expires_at"), "unsent_forms", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_unsent_forms_expires_at"), table_name="unsent_forms")
    op.drop_table("unsent_forms")
    op.drop_table("drafts")
