"""The comment form (threads) and the mentor's private note."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm
from courseware.i18n import lazy_gettext as _l
from courseware.threads.services import MAX_COMMENT


class CommentForm(CheckedForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write something before sending.")), Length(max=MAX_COMMENT)],
        description=_l("Markdown works: *emphasis*, lists, links."),
    )


class NoteForm(CheckedForm):
    body = TextAreaField(
        _l("Private note"),
        validators=[DataRequired(_l("Write something before saving.")), Length(max=MAX_COMMENT)],
        description=_l("Only you ever see these notes; not the mentee, not their manager."),
    )
