"""SCORM packages as lessons

- packages: a course's SCORM zips (the upload kept for export, the manifest as JSON).
- package_files: each file inside a package, served to the lesson's learners.
- scorm_states: what a learner's SCO last committed in a lesson (resume and progress).

Revision ID: 0020
Revises: 0019
Create Date: 2027-03-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("identifier", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("format IN ('scorm12', 'scorm2004')", name=op.f("ck_packages_format")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_packages_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"], ["stored_files.id"], name=op.f("fk_packages_stored_file_id_stored_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("course_id", "filename", name=op.f("uq_packages_course_id_filename")),
    )
    op.create_table(
        "package_files",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_package_files_package_id_packages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"], ["stored_files.id"], name=op.f("fk_package_files_stored_file_id_stored_files")
        ),
        sa.PrimaryKeyConstraint("package_id", "path", name=op.f("pk_package_files")),
    )
    op.create_table(
        "scorm_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("cmi", sa.JSON(), nullable=False),
        sa.Column("suspend_data", sa.Text(), nullable=False),
        sa.Column("lesson_location", sa.String(length=1000), nullable=False),
        sa.Column("completion_status", sa.String(length=20), nullable=True),
        sa.Column("success_status", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_scorm_states_lesson_id_lessons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scorm_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_states")),
        sa.UniqueConstraint("user_id", "lesson_id", name=op.f("uq_scorm_states_user_id_lesson_id")),
    )
    op.create_index(op.f("ix_scorm_states_lesson_id"), "scorm_states", ["lesson_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scorm_states_lesson_id"), table_name="scorm_states")
    op.drop_table("scorm_states")
    op.drop_table("package_files")
    op.drop_table("packages")
