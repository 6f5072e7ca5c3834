"""signing in with an organisation's OpenID Connect providers

- sign_in_providers: the providers admins configure (issuer, client, allowed domains, groups claim).
- sign_in_group_mappings: a provider's group values and the team and roles each gives.
- sign_in_links: a person's account at a provider (its subject), linked to their account here.
- sign_in_events: the sign-in log (sign-ins, refusals with their reason, links, new accounts).
- sign_in_settings: the organisation's sign-in options (one row).

Only new tables: nothing existing is touched.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("allowed_domains", sa.String(length=1000), nullable=False),
        sa.Column("groups_claim", sa.String(length=80), nullable=True),
        sa.Column("discovery", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_providers")),
        sa.UniqueConstraint("key", name=op.f("uq_sign_in_providers_key")),
    )
    op.create_table(
        "sign_in_group_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("group_value", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["sign_in_providers.id"],
            name=op.f("fk_sign_in_group_mappings_provider_id_sign_in_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sign_in_group_mappings_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_group_mappings")),
    )
    op.create_index(
        op.f("ix_sign_in_group_mappings_provider_id"), "sign_in_group_mappings", ["provider_id"], unique=False
    )
    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_sign_in_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["sign_in_providers.id"],
            name=op.f("fk_sign_in_links_provider_id_sign_in_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sign_in_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_links")),
        sa.UniqueConstraint("provider_id", "subject", name=op.f("uq_sign_in_links_provider_id_subject")),
    )
    op.create_index(op.f("ix_sign_in_links_user_id"), "sign_in_links", ["user_id"], unique=False)
    op.create_table(
        "sign_in_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('signed-in', 'refused', 'linked', 'created')", name=op.f("ck_sign_in_events_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["sign_in_providers.id"],
            name=op.f("fk_sign_in_events_provider_id_sign_in_providers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sign_in_events_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_events")),
    )
    op.create_index("ix_sign_in_events_created_at", "sign_in_events", ["created_at"], unique=False)
    op.create_index(op.f("ix_sign_in_events_email"), "sign_in_events", ["email"], unique=False)
    op.create_index(op.f("ix_sign_in_events_outcome"), "sign_in_events", ["outcome"], unique=False)
    op.create_index(op.f("ix_sign_in_events_provider_id"), "sign_in_events", ["provider_id"], unique=False)
    op.create_index(op.f("ix_sign_in_events_user_id"), "sign_in_events", ["user_id"], unique=False)
    op.create_table(
        "sign_in_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_admins_only", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_settings")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_settings")
    op.drop_index(op.f("ix_sign_in_events_user_id"), table_name="sign_in_events")
    op.drop_index(op.f("ix_sign_in_events_provider_id"), table_name="sign_in_events")
    op.drop_index(op.f("ix_sign_in_events_outcome"), table_name="sign_in_events")
    op.drop_index(op.f("ix_sign_in_events_email"), table_name="sign_in_events")
    op.drop_index("ix_sign_in_events_created_at", table_name="sign_in_events")
    op.drop_table("sign_in_events")
    op.drop_index(op.f("ix_sign_in_links_user_id"), table_name="sign_in_links")
    op.drop_table("sign_in_links")
    op.drop_index(op.f("ix_sign_in_group_mappings_provider_id"), table_name="sign_in_group_mappings")
    op.drop_table("sign_in_group_mappings")
    op.drop_table("sign_in_providers")
