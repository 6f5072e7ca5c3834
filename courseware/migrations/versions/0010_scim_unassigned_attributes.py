"""SCIM's displayName and active can be left unassigned

- scim_users.display_name_assigned: whether the directory gave the person a displayName. Without
  one, the account's name comes from the name parts (or the e-mail address) and SCIM serves no
  displayName.
- scim_users.active_assigned: whether the directory said if the person is active. Without it the
  account keeps its state and SCIM serves no active.

Only columns are added; existing rows keep serving both attributes, as they did.

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scim_users") as batch_op:
        batch_op.add_column(sa.Column("display_name_assigned", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("active_assigned", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("scim_users") as batch_op:
        batch_op.drop_column("active_assigned")
        batch_op.drop_column("display_name_assigned")
