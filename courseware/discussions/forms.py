"""The forms of a lesson's discussion: a post (or reply) and a trainer's reason for hiding one."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.discussions.services import MAX_REASON, MENTION_HELP
from courseware.i18n import lazy_gettext as _l
from courseware.threads.services import MAX_COMMENT


class PostForm(CheckedForm):
    body = TextAreaField(
        _l("Your post"),
        validators=[DataRequired(_l("Write something before posting.")), Length(max=MAX_COMMENT)],
        description=MENTION_HELP,
        # Apart from the lesson page's other text boxes (a reflection's is "body" too).
        id="discussion-body",
    )


class ReplyForm(CheckedForm):
    body = TextAreaField(
        _l("Your reply"),
        validators=[DataRequired(_l("Write something before replying.")), Length(max=MAX_COMMENT)],
        description=MENTION_HELP,
    )


class HideForm(CheckedForm):
    reason = StringField(
        _l("Why hide it?"),
        validators=[
            DataRequired(_l("Say why the post is hidden; its author sees the reason.")),
            Length(max=MAX_REASON),
            SingleLine(),
        ],
        description=_l("Its author sees this; other learners see that a trainer hid the post."),
    )
