"""lesson images

- course_images: the images a course's lessons show, each under its file name in the course
  folder's images/, its bytes in stored_files.

Revision ID: 0021
Revises: 0019
Create Date: 2027-03-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_images_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"],
            ["stored_files.id"],
            name=op.f("fk_course_images_stored_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_images")),
        sa.UniqueConstraint("course_id", "name", name=op.f("uq_course_images_course_id_name")),
    )


def downgrade() -> None:
    op.drop_table("course_images")
