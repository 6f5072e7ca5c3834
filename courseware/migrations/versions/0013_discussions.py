"""lesson discussions

- courses.discussion: whether the course's lessons have a discussion unless a lesson says otherwise.
- lesson_revisions.discussion: a lesson's own say on its discussion (NULL follows the course).
- discussion_posts: posts and replies in a lesson's discussion, with a trainer's hiding and its reason.

Revision ID: 0013
Revises: 0012
Create Date: 2027-03-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("courses", recreate="never") as batch:
        batch.add_column(sa.Column("discussion", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("lesson_revisions", recreate="never") as batch:
        batch.add_column(sa.Column("discussion", sa.Boolean(), nullable=True))
    op.create_table(
        "discussion_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("hidden_at", UTCDateTime(), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_discussion_posts_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_discussion_posts_lesson_id_lessons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_posts_parent_id_discussion_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_discussion_posts_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_discussion_posts_hidden_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_posts")),
    )
    op.create_index(
        "ix_discussion_posts_lesson_id_created_at", "discussion_posts", ["lesson_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_discussion_posts_course_id"), "discussion_posts", ["course_id"], unique=False)
    op.create_index(op.f("ix_discussion_posts_parent_id"), "discussion_posts", ["parent_id"], unique=False)
    op.create_index(op.f("ix_discussion_posts_author_id"), "discussion_posts", ["author_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_discussion_posts_author_id"), table_name="discussion_posts")
    op.drop_index(op.f("ix_discussion_posts_parent_id"), table_name="discussion_posts")
    op.drop_index(op.f("ix_discussion_posts_course_id"), table_name="discussion_posts")
    op.drop_index("ix_discussion_posts_lesson_id_created_at", table_name="discussion_posts")
    op.drop_table("discussion_posts")
    with op.batch_alter_table("lesson_revisions", recreate="never") as batch:
        batch.drop_column("discussion")
    with op.batch_alter_table("courses", recreate="never") as batch:
        batch.drop_column("discussion")
