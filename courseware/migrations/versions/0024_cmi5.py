"""cmi5 courses as lessons

- packages: the format may be cmi5.
- cmi5_registrations: a learner's registration in a cmi5 course (what the LMS knows of each AU).
- cmi5_sessions: each launch of an AU, with its fetch URL's and auth token's digests.

Revision ID: 0024
Revises: 0022
Create Date: 2027-03-20 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("packages") as batch_op:
        batch_op.drop_constraint(op.f("ck_packages_format"), type_="check")
        batch_op.create_check_constraint(op.f("ck_packages_format"), "format IN ('scorm12', 'scorm2004', 'cmi5')")
    op.create_table(
        "cmi5_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("aus", sa.JSON(), nullable=False),
        sa.Column("satisfied", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_cmi5_registrations_package_id_packages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cmi5_registrations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_registrations")),
        sa.UniqueConstraint("registration", name=op.f("uq_cmi5_registrations_registration")),
        sa.UniqueConstraint("user_id", "package_id", name=op.f("uq_cmi5_registrations_user_id_package_id")),
    )
    with op.batch_alter_table("cmi5_registrations") as batch_op:
        batch_op.create_index(batch_op.f("ix_cmi5_registrations_package_id"), ["package_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cmi5_registrations_user_id"), ["user_id"], unique=False)
    op.create_table(
        "cmi5_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("au_id", sa.String(length=1000), nullable=False),
        sa.Column("activity_id", sa.String(length=1000), nullable=False),
        sa.Column("launch_mode", sa.String(length=10), nullable=False),
        sa.Column("fetch_digest", sa.String(length=64), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.Column("preferences", sa.Boolean(), nullable=False),
        sa.Column("launched_at", UTCDateTime(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=True),
        sa.Column("last_request_at", UTCDateTime(), nullable=True),
        sa.Column("initialized_at", UTCDateTime(), nullable=True),
        sa.Column("terminated_at", UTCDateTime(), nullable=True),
        sa.Column("abandoned_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_cmi5_sessions_lesson_id_lessons"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["cmi5_registrations.id"],
            name=op.f("fk_cmi5_sessions_registration_id_cmi5_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_sessions")),
        sa.UniqueConstraint("fetch_digest", name=op.f("uq_cmi5_sessions_fetch_digest")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_cmi5_sessions_token_digest")),
    )
    with op.batch_alter_table("cmi5_sessions") as batch_op:
        batch_op.create_index(batch_op.f("ix_cmi5_sessions_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cmi5_sessions_registration_id"), ["registration_id"], unique=False)


def downgrade() -> None:
    op.drop_table("cmi5_sessions")
    op.drop_table("cmi5_registrations")
    op.execute("DELETE FROM packages WHERE format = 'cmi5'")
    with op.batch_alter_table("packages") as batch_op:
        batch_op.drop_constraint(op.f("ck_packages_format"), type_="check")
        batch_op.create_check_constraint(op.f("ck_packages_format"), "format IN ('scorm12', 'scorm2004')")
