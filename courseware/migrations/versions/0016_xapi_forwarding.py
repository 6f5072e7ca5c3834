"""forwarding statements to other LRSs

- xapi_forward_targets: the other LRSs (address, key, encrypted secret, version, which statements).
- xapi_forwards: the statements on their way to each target, until delivered (or failed for good).

Only new tables: nothing existing is touched.

Revision ID: 0016
Revises: 0012
Create Date: 2027-02-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_forward_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.Column("statements", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("delivered_count", sa.Integer(), nullable=False),
        sa.Column("last_delivered_at", UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("statements IN ('all', 'own')", name=op.f("ck_xapi_forward_targets_statements")),
        sa.CheckConstraint("version IN ('2.0.0', '1.0.3')", name=op.f("ck_xapi_forward_targets_version")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_xapi_forward_targets_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_forward_targets")),
    )
    op.create_table(
        "xapi_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('waiting', 'sending', 'failed')", name=op.f("ck_xapi_forwards_state")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["xapi_statements.id"],
            name=op.f("fk_xapi_forwards_statement_id_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["xapi_forward_targets.id"],
            name=op.f("fk_xapi_forwards_target_id_xapi_forward_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_forwards")),
    )
    op.create_index("ix_xapi_forwards_target_state_id", "xapi_forwards", ["target_id", "state", "id"], unique=False)
    op.create_index(op.f("ix_xapi_forwards_statement_id"), "xapi_forwards", ["statement_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_xapi_forwards_statement_id"), table_name="xapi_forwards")
    op.drop_index("ix_xapi_forwards_target_state_id", table_name="xapi_forwards")
    op.drop_table("xapi_forwards")
    op.drop_table("xapi_forward_targets")
