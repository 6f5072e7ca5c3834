"""evidence with practice work and checklists

- stored_files: the bytes of uploaded files, in the database so that every app server shares them.
- evidence_files: a file handed in with a submission or a checklist (kind, type, size, thumbnail).
- submissions.links, checklist_states.note and checklist_states.links: further links and a note.
- comments: the thread about a submission, a checklist or a shared journal entry.
- mentor_notes: a mentor's private notes about a mentee.

Revision ID: 0011
Revises: 0010
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from courseware.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("checklist_state_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("stored_id", sa.Integer(), nullable=False),
        sa.Column("thumbnail_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('image', 'pdf')", name=op.f("ck_evidence_files_kind")),
        sa.CheckConstraint(
            "(submission_id IS NULL) <> (checklist_state_id IS NULL)", name=op.f("ck_evidence_files_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_evidence_files_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_evidence_files_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["checklist_state_id"],
            ["checklist_states.id"],
            name=op.f("fk_evidence_files_checklist_state_id_checklist_states"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stored_id"], ["stored_files.id"], name=op.f("fk_evidence_files_stored_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["thumbnail_id"], ["stored_files.id"], name=op.f("fk_evidence_files_thumbnail_id_stored_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    op.create_index(op.f("ix_evidence_files_user_id"), "evidence_files", ["user_id"])
    op.create_index(op.f("ix_evidence_files_submission_id"), "evidence_files", ["submission_id"])
    op.create_index(op.f("ix_evidence_files_checklist_state_id"), "evidence_files", ["checklist_state_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("subject IN ('submission', 'checklist', 'journal')", name=op.f("ck_comments_subject")),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_comments_learner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_subject_subject_id", "comments", ["subject", "subject_id"])
    op.create_index(op.f("ix_comments_learner_id"), "comments", ["learner_id"])
    op.create_table(
        "mentor_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["users.id"], name=op.f("fk_mentor_notes_mentor_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_mentor_notes_learner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_notes")),
    )
    op.create_index("ix_mentor_notes_mentor_id_learner_id", "mentor_notes", ["mentor_id", "learner_id"])
    with op.batch_alter_table("submissions", recreate="never") as batch:
        batch.add_column(sa.Column("links", sa.JSON(), nullable=True))
    with op.batch_alter_table("checklist_states", recreate="never") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("links", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checklist_states", recreate="never") as batch:
        batch.drop_column("links")
        batch.drop_column("note")
    with op.batch_alter_table("submissions", recreate="never") as batch:
        batch.drop_column("links")
    op.drop_index("ix_mentor_notes_mentor_id_learner_id", table_name="mentor_notes")
    op.drop_table("mentor_notes")
    op.drop_index(op.f("ix_comments_learner_id"), table_name="comments")
    op.drop_index("ix_comments_subject_subject_id", table_name="comments")
    op.drop_table("comments")
    op.drop_index(op.f("ix_evidence_files_checklist_state_id"), table_name="evidence_files")
    op.drop_index(op.f("ix_evidence_files_submission_id"), table_name="evidence_files")
    op.drop_index(op.f("ix_evidence_files_user_id"), table_name="evidence_files")
    op.drop_table("evidence_files")
    op.drop_table("stored_files")
