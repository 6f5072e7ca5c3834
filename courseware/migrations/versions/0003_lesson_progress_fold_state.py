"""lesson progress keeps the state its fold reached

Each step a learner takes folds one event on from the state kept with the lesson's progress row,
instead of reading every event of the lesson again. Rows start without one; the lesson's next
step folds the whole log and keeps it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fold_state", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_column("fold_state")
