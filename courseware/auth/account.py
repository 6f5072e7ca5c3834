"""The person's own account page: personal API tokens."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from courseware.auth.policies import role_required
from courseware.auth.preferences import preferences_form
from courseware.auth.services import token_digest
from courseware.core.validators import CheckedForm, SingleLine
from courseware.db import utcnow
from courseware.extensions import db
from courseware.models import ApiToken

bp = Blueprint("account", __name__)


class TokenForm(CheckedForm):
    name = StringField(
        "Token name",
        validators=[
            DataRequired("Give the token a name, such as the tool that will use it."),
            Length(max=80),
            SingleLine(),
        ],
    )


@bp.route("/account", methods=["GET", "POST"])
@role_required()
def account():
    """Your details and personal API tokens; a new token is shown once."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = secrets.token_urlsafe(32)
        db.session.add(
            ApiToken(user_id=current_user.id, name=form.name.data.strip(), token_hash=token_digest(new_token))
        )
        db.session.commit()
        form = TokenForm(formdata=None)
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/account.html", form=form, tokens=tokens, new_token=new_token, preferences_form=preferences_form()
    ), (422 if form.errors else 200)


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@role_required()
def revoke_token(token_id: int):
    """Revoke one of your own tokens; it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    token.revoked_at = utcnow()
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("account.account"))
