"""lesson translations

- courses.language: the language a course is written in.
- courses.translations: its title, summary and module titles in other languages.
- lesson_translations: a lesson in another language (title, body, activities), with the revision
  of the original it was made from.

Revision ID: 0023
Revises: 0022
Create Date: 2027-03-15 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("courses", recreate="never") as batch:
        batch.add_column(sa.Column("language", sa.String(length=10), nullable=False, server_default="en"))
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))
    op.create_table(
        "lesson_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_lesson_translations_lesson_id_lessons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["lesson_revisions.id"],
            name=op.f("fk_lesson_translations_revision_id_lesson_revisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_lesson_translations_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_translations")),
        sa.UniqueConstraint("lesson_id", "language", name=op.f("uq_lesson_translations_lesson_id_language")),
    )


def downgrade() -> None:
    op.drop_table("lesson_translations")
    with op.batch_alter_table("courses", recreate="never") as batch:
        batch.drop_column("translations")
        batch.drop_column("language")
