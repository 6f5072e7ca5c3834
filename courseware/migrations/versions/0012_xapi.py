"""the Learning Record Store

- xapi_clients: the systems that use the LRS (key, hashed secret, scopes, revocation).
- xapi_statements: statements as received with the LRS's additions, and their filter columns.
- xapi_statement_keys: the agents, activities, verb and registration each statement is found by.
- xapi_activities, xapi_attachments, xapi_documents: definitions, attachment content, documents.

Only new tables: nothing existing is touched.

Revision ID: 0012
Revises: 0011
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("last_version", sa.String(length=8), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_xapi_clients_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_clients")),
        sa.UniqueConstraint("key", name=op.f("uq_xapi_clients_key")),
    )
    op.create_table(
        "xapi_statements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("stored", UTCDateTime(), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("voids_id", sa.String(length=36), nullable=True),
        sa.Column("actor_key", sa.String(length=64), nullable=False),
        sa.Column("verb_key", sa.String(length=64), nullable=False),
        sa.Column("activity_key", sa.String(length=64), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["xapi_clients.id"], name=op.f("fk_xapi_statements_client_id_xapi_clients"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_statements")),
    )
    op.create_index("ix_xapi_statements_stored_id", "xapi_statements", ["stored", "id"], unique=False)
    op.create_index(op.f("ix_xapi_statements_actor_key"), "xapi_statements", ["actor_key"], unique=False)
    op.create_index(op.f("ix_xapi_statements_verb_key"), "xapi_statements", ["verb_key"], unique=False)
    op.create_index(op.f("ix_xapi_statements_activity_key"), "xapi_statements", ["activity_key"], unique=False)
    op.create_index(op.f("ix_xapi_statements_registration"), "xapi_statements", ["registration"], unique=False)
    op.create_index(op.f("ix_xapi_statements_client_id"), "xapi_statements", ["client_id"], unique=False)
    op.create_table(
        "xapi_statement_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["xapi_statements.id"],
            name=op.f("fk_xapi_statement_keys_statement_id_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_statement_keys")),
    )
    op.create_index(
        "ix_xapi_statement_keys_kind_key", "xapi_statement_keys", ["kind", "key", "statement_id"], unique=False
    )
    op.create_index(op.f("ix_xapi_statement_keys_statement_id"), "xapi_statement_keys", ["statement_id"], unique=False)
    op.create_table(
        "xapi_activities",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_xapi_activities")),
    )
    op.create_table(
        "xapi_attachments",
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha2", name=op.f("pk_xapi_attachments")),
    )
    op.create_table(
        "xapi_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("activity_key", sa.String(length=64), nullable=False),
        sa.Column("agent_key", sa.String(length=64), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("doc_key", sa.String(length=64), nullable=False),
        sa.Column("doc_id", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_documents")),
        sa.UniqueConstraint(
            "kind", "activity_key", "agent_key", "registration", "doc_key", name="uq_xapi_documents_scope"
        ),
    )
    op.create_index("ix_xapi_documents_lookup", "xapi_documents", ["kind", "activity_key", "agent_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_xapi_documents_lookup", table_name="xapi_documents")
    op.drop_table("xapi_documents")
    op.drop_table("xapi_attachments")
    op.drop_table("xapi_activities")
    op.drop_index(op.f("ix_xapi_statement_keys_statement_id"), table_name="xapi_statement_keys")
    op.drop_index("ix_xapi_statement_keys_kind_key", table_name="xapi_statement_keys")
    op.drop_table("xapi_statement_keys")
    for column in ("client_id", "registration", "activity_key", "verb_key", "actor_key"):
        op.drop_index(op.f(f"ix_xapi_statements_{column}"), table_name="xapi_statements")
    op.drop_index("ix_xapi_statements_stored_id", table_name="xapi_statements")
    op.drop_table("xapi_statements")
    op.drop_table("xapi_clients")
