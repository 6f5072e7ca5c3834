"""provisioning over SCIM

- scim_tokens: the bearer tokens directories provision with (hashed), who made them, last use, revocation.
- scim_users: what SCIM knows of a person beyond their account (userName, externalId, name parts).
- scim_groups: what SCIM knows of a team beyond its name (externalId).

Only new tables: nothing existing is touched.

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-20 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_scim_tokens_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
    )
    op.create_table(
        "scim_users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=254), nullable=True),
        sa.Column("folded_user_name", sa.String(length=254), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("given_name", sa.String(length=120), nullable=True),
        sa.Column("family_name", sa.String(length=120), nullable=True),
        sa.Column("formatted_name", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deprovisioned_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scim_users_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_scim_users")),
        sa.UniqueConstraint("folded_user_name", name=op.f("uq_scim_users_folded_user_name")),
    )
    op.create_index(op.f("ix_scim_users_external_id"), "scim_users", ["external_id"], unique=False)
    op.create_table(
        "scim_groups",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_scim_groups_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_scim_groups")),
    )
    op.create_index(op.f("ix_scim_groups_external_id"), "scim_groups", ["external_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_scim_groups_external_id"), table_name="scim_groups")
    op.drop_table("scim_groups")
    op.drop_index(op.f("ix_scim_users_external_id"), table_name="scim_users")
    op.drop_table("scim_users")
    op.drop_table("scim_tokens")
