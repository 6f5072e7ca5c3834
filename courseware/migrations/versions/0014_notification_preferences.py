"""how each person hears of their notifications, daily digests, and managers' own words in reminders

- notification_preferences: per person, "app" (in the app only), "each" (an e-mail for each) or
  "digest" (one e-mail a day); a person without a row gets an e-mail for each, as before.
- notifications.digested_at: when the notification went out in a digest.
- reminders.message: the personal message a manager added to a reminder.

Only a table and nullable columns are added; existing rows are untouched.

Revision ID: 0014
Revises: 0012
Create Date: 2027-02-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("delivery IN ('app', 'each', 'digest')", name=op.f("ck_notification_preferences_delivery")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )
    # Plain ADD COLUMN (nullable, no constraint): SQLite needs no copy of the table.
    op.add_column("notifications", sa.Column("digested_at", UTCDateTime(), nullable=True))
    op.add_column("reminders", sa.Column("message", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch_op:
        batch_op.drop_column("message")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("digested_at")
    op.drop_table("notification_preferences")
