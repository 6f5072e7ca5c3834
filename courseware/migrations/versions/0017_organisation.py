"""the organisation's settings, course covers, and each person's time zone and language

- organisation_settings: one row with the organisation's name, logo, accent colour, certificate
  signatory and default time zone.
- course_covers: a course's optional cover image and its file name in the course folder.
- users.time_zone and users.locale: the zone a person sees times in and the language they prefer.

Revision ID: 0017
Revises: 0012
Create Date: 2027-03-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("logo_file_id", sa.Integer(), nullable=True),
        sa.Column("accent_colour", sa.String(length=7), nullable=False),
        sa.Column("signatory_name", sa.String(length=120), nullable=False),
        sa.Column("signatory_title", sa.String(length=120), nullable=False),
        sa.Column("default_time_zone", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_organisation_settings_single_row")),
        sa.ForeignKeyConstraint(
            ["logo_file_id"],
            ["stored_files.id"],
            name=op.f("fk_organisation_settings_logo_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_settings")),
    )
    op.create_table(
        "course_covers",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_covers_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"],
            ["stored_files.id"],
            name=op.f("fk_course_covers_stored_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_course_covers")),
    )
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("locale", sa.String(length=10), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("locale")
        batch.drop_column("time_zone")
    op.drop_table("course_covers")
    op.drop_table("organisation_settings")
