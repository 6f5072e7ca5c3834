"""statistics on how the LRS's keys' kind and value go together (PostgreSQL)

A verb is a key of one kind only, so the planner, which takes ``kind`` and ``key`` to be
independent, guessed a verb's statements at a sixth of their number, and read a verb's newest
statements with parallel workers: about four times slower than one reading them in order.
Extended statistics tell it what the pair matches. SQLite has none: nothing is done there.

Revision ID: 0015
Revises: 0012
Create Date: 2027-02-08 10:00:00
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE STATISTICS IF NOT EXISTS xapi_statement_keys_kind_key ON kind, key FROM xapi_statement_keys")
    op.execute("ANALYZE xapi_statement_keys")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS xapi_statement_keys_kind_key")
