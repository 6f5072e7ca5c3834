"""A person's notifications (``/notifications``), and the unread count shown in the header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.links import safe_next
from courseware.extensions import db
from courseware.models import Notification
from courseware.notifications import services
from courseware.notifications.forms import PreferenceForm

bp = Blueprint("notifications", __name__)


@bp.app_template_global()
def unread_notifications() -> int:
    """How many unread notifications the person logged in has (0 for visitors)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = services.unread_count(current_user)
    return g.unread_notifications


@bp.app_template_global()
def notification_preference_form(next_path: str | None = None) -> PreferenceForm:
    """The form for the logged-in person's choice of how to hear of notifications, set to it
    (included on the notifications page and the account page)."""
    form = PreferenceForm(formdata=None, delivery=services.delivery_of(current_user), next=next_path)
    return form


@bp.route("/preference", methods=["POST"])
@role_required()
def preference():
    """Keep how you want to hear of notifications: in the app only, an e-mail for each, or a daily digest."""
    form = PreferenceForm()
    back = safe_next(form.next.data) or url_for("notifications.index")
    if not form.validate_on_submit():
        flash(" ".join(form.delivery.errors) or _("The form was out of date; choose again."), "error")
        return redirect(back)
    services.set_delivery(current_user, form.delivery.data)
    db.session.commit()
    flash(str(services.DELIVERY_SAVED[form.delivery.data]), "success")
    return redirect(back)


@bp.route("/")
@role_required()
def index():
    """The person's latest notifications, unread ones marked, newest first."""
    return render_template("notifications/notifications.html", notifications=services.notifications_of(current_user))


@bp.route("/read", methods=["POST"])
@role_required()
def read_all():
    """Mark every notification as read."""
    count = services.mark_read(current_user)
    db.session.commit()
    flash(
        ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count)
        if count
        else _("Nothing was unread."),
        "success",
    )
    return redirect(url_for("notifications.index"))


@bp.route("/<id:notification_id>/read", methods=["POST"])
@role_required()
def read_one(notification_id: int):
    """Mark one of your notifications as read; anyone else's is not found."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    services.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(url_for("notifications.index", _anchor=f"notification-{notification_id}"))


@bp.route("/<id:notification_id>/open", methods=["POST"])
@role_required()
def open_one(notification_id: int):
    """Open one of your notifications: it is marked read and you are taken to what it is about."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    services.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(safe_next(notification.link) or url_for("notifications.index"))
