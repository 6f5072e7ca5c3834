"""covering indexes for work waiting for a trainer

The managers' status rules look up, for everyone in scope, since when their oldest work has
waited for a trainer: practice submitted and checklists awaiting verification, by status. With
the person in the index after the time, these are read from the index alone, without a visit to
the table for each of the tens of thousands of waiting rows of a large organisation; the review
queue still reads them by status and time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:40:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_status_created_at_user_id", ["status", "created_at", "user_id"])
        batch_op.drop_index("ix_submissions_status_created_at")
    with op.batch_alter_table("checklist_states", schema=None) as batch_op:
        batch_op.create_index("ix_checklist_states_status_updated_at_user_id", ["status", "updated_at", "user_id"])
        batch_op.drop_index("ix_checklist_states_status_updated_at")


def downgrade() -> None:
    with op.batch_alter_table("checklist_states", schema=None) as batch_op:
        batch_op.create_index("ix_checklist_states_status_updated_at", ["status", "updated_at"])
        batch_op.drop_index("ix_checklist_states_status_updated_at_user_id")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_status_created_at", ["status", "created_at"])
        batch_op.drop_index("ix_submissions_status_created_at_user_id")
