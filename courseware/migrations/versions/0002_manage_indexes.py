"""indexes for the managers' pages

Covering indexes so that the people table and the overview aggregate ten thousand learners
from the indexes alone: events by person and time (trend, last active), events by verb and
time (passive events left out of weekly activity), and lesson progress by person, status and
course (lessons done or waiting, the module funnel).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:00:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_events", schema=None) as batch_op:
        batch_op.create_index("ix_learning_events_user_id_created_at_verb", ["user_id", "created_at", "verb"])
        batch_op.create_index("ix_learning_events_verb_created_at", ["verb", "created_at"])
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lesson_progress_user_id_status_course_id", ["user_id", "status", "course_id", "lesson_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_lesson_progress_user_id_status_course_id")
    with op.batch_alter_table("learning_events", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_events_verb_created_at")
        batch_op.drop_index("ix_learning_events_user_id_created_at_verb")
