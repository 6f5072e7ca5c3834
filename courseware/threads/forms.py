"""The comment form (threads) and the mentor's private note."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm
from courseware.threads.services import MAX_COMMENT


class CommentForm(CheckedForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired("Write something before sending."), Length(max=MAX_COMMENT)],
        description="Markdown works: *emphasis*, lists, links.",
    )


class NoteForm(CheckedForm):
    body = TextAreaField(
        "Private note",
        validators=[DataRequired("Write something before saving."), Length(max=MAX_COMMENT)],
        description="Only you ever see these notes; not the mentee, not their manager.",
    )
