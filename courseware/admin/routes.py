"""Administration: people, invitations, roles, teams, deactivation."""

from __future__ import annotations

import os

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from courseware.admin import bulk
from courseware.admin.forms import ROLE_NAMES, BulkInviteForm, InviteForm, PersonForm, TeamForm
from courseware.auth import services
from courseware.auth.policies import role_required
from courseware.core.caching import content_cache
from courseware.core.confirm import ask_first
from courseware.core.links import page_url
from courseware.core.mail import mail_configured
from courseware.core.validators import int_param, text_param
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.jobs import services as jobs
from courseware.models import Invitation, Job, Team, User

bp = Blueprint("admin", __name__)

PAGE_SIZE = 50


def _team_choices() -> list[tuple[int, str]]:
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return [(0, _("No team"))] + [(t.id, t.name) for t in teams]


def _team_or_none(team_id: int | None) -> Team | None:
    return db.session.get(Team, team_id) if team_id else None


@bp.route("/people")
@role_required("admin")
def people():
    """Everyone with an account, searchable by name or email, with open invitations."""
    query = text_param("q")
    page = int_param("page", 1)
    statement = select(User).order_by(User.name)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(func.lower(User.name).like(like) | User.email.like(like))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    people = db.session.scalars(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
        .limit(50)
    ).all()
    teams = {t.id: t.name for t in db.session.scalars(select(Team))}
    return render_template(
        "admin/people.html",
        people=people,
        invitations=invitations,
        teams=teams,
        query=query,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        now=utcnow(),
    )


@bp.route("/people/invite", methods=["GET", "POST"])
@role_required("admin")
def invite():
    """Invite someone by email; the link is shown here, and the email is queued with the
    invitation when SMTP is configured."""
    form = InviteForm()
    form.team.choices = _team_choices()
    if form.validate_on_submit():
        try:
            invitation, token = services.invite(
                form.email.data, form.roles.data or ["learner"], _team_or_none(form.team.data), current_user
            )
        except Invalid as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            queued = services.queue_invitation_email(invitation, token, current_user)
            db.session.commit()
            # Shown to the admin who asked; the email's link never comes from the request.
            link = page_url("auth.accept_invitation", token=token)
            return render_template("admin/invited.html", invitation=invitation, link=link, queued=queued)
    return render_template("admin/invite.html", form=form), 422 if form.errors else 200


@bp.route("/invitations/<id:invitation_id>/revoke", methods=["POST"])
@role_required("admin")
def revoke_invitation(invitation_id: int):
    """Withdraw an open invitation so that its link stops working."""
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        question = ask_first(
            _("Withdraw the invitation to %(email)s?", email=invitation.email),
            _("Its link stops working at once. You can invite them again later."),
            _("Withdraw the invitation"),
            url_for("admin.people"),
        )
        if question:
            return question
        invitation.revoked_at = utcnow()
        db.session.commit()
        flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "success")
    return redirect(url_for("admin.people"))


@bp.route("/people/<id:user_id>", methods=["GET", "POST"])
@role_required("admin")
def person(user_id: int):
    """Edit a person's name, roles, team and managed teams."""
    user = db.session.get(User, user_id) or abort(404)
    form = PersonForm(
        obj=None,
        data=None
        if request.method == "POST"
        else {
            "name": user.name,
            "roles": sorted(user.roles),
            "team": user.team_id or 0,
            "managed_teams": services.managed_team_ids(user),
        },
    )
    form.team.choices = _team_choices()
    form.managed_teams.choices = _team_choices()[1:]
    if form.validate_on_submit():
        managed = [t for t in (_team_or_none(i) for i in form.managed_teams.data or []) if t]
        removed = sorted(user.roles - set(form.roles.data or []) - {"learner"})
        dropped = set(services.managed_team_ids(user)) - (
            {t.id for t in managed} if "manager" in (form.roles.data or []) else set()
        )
        refused = user.id == current_user.id and "admin" in removed  # update_person says why
        if (removed or dropped) and not refused:
            lost = []
            if removed:
                lost.append(
                    ngettext(
                        "%(name)s loses the %(roles)s role.",
                        "%(name)s loses the %(roles)s roles.",
                        len(removed),
                        name=user.name,
                        roles=", ".join(str(ROLE_NAMES.get(role, role)) for role in removed),
                    )
                )
            if dropped:
                lost.append(
                    ngettext(
                        "They stop seeing the progress of %(num)d team they manage.",
                        "They stop seeing the progress of %(num)d teams they manage.",
                        len(dropped),
                    )
                )
            question = ask_first(
                _("Take access away from %(name)s?", name=user.name),
                [*lost, _("This takes effect on their very next page.")],
                _("Save and take the access away"),
                url_for("admin.person", user_id=user.id),
            )
            if question:
                return question
        try:
            services.update_person(
                user,
                name=form.name.data,
                roles=form.roles.data or ["learner"],
                team=_team_or_none(form.team.data),
                managed_teams=managed,
                actor=current_user,
            )
        except Invalid as exc:
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=user.name), "success")
            return redirect(url_for("admin.person", user_id=user.id))
    return render_template("admin/person.html", form=form, person=user), 422 if form.errors else 200


@bp.route("/people/<id:user_id>/active", methods=["POST"])
@role_required("admin")
def set_active(user_id: int):
    """Deactivate a person (their sessions end at once) or reactivate them."""
    user = db.session.get(User, user_id) or abort(404)
    active = request.form.get("active") == "1"
    if not active and user.is_active and user.id != current_user.id:
        question = ask_first(
            _("Deactivate %(name)s?", name=user.name),
            [
                _("%(name)s is signed out everywhere at once and cannot sign in until reactivated.", name=user.name),
                _("Their records stay; you can reactivate them later."),
            ],
            _("Deactivate %(name)s", name=user.name),
            url_for("admin.person", user_id=user.id),
        )
        if question:
            return question
    try:
        services.set_active(user, active, current_user)
    except Invalid as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        if active:
            flash(_("%(name)s is active again.", name=user.name), "success")
        else:
            flash(_("%(name)s is deactivated and logged out everywhere.", name=user.name), "success")
    return redirect(url_for("admin.person", user_id=user.id))


@bp.route("/teams", methods=["GET", "POST"])
@role_required("admin")
def teams():
    """List teams with their size, and create a new one."""
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = services.create_team(form.name.data)
        except Invalid as exc:
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Team %(name)s created.", name=team.name), "success")
            return redirect(url_for("admin.teams"))
    rows = db.session.execute(
        select(Team, func.count(User.id)).outerjoin(User, User.team_id == Team.id).group_by(Team.id).order_by(Team.name)
    ).all()
    return render_template("admin/teams.html", form=form, rows=rows), 422 if form.errors else 200


@bp.route("/teams/<id:team_id>", methods=["GET", "POST"])
@role_required("admin")
def team(team_id: int):
    """Rename a team; an empty team can be deleted from here."""
    team = db.session.get(Team, team_id) or abort(404)
    form = TeamForm(data=None if request.method == "POST" else {"name": team.name})
    if form.validate_on_submit():
        try:
            services.rename_team(team, form.name.data, current_user)
        except Invalid as exc:
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The team is now called %(name)s.", name=team.name), "success")
            return redirect(url_for("admin.teams"))
    members = services.team_member_count(team)
    return render_template("admin/team.html", team=team, form=form, members=members), 422 if form.errors else 200


@bp.route("/teams/<id:team_id>/delete", methods=["POST"])
@role_required("admin")
def delete_team(team_id: int):
    """Delete an empty team, after asking; a team with people in it is refused."""
    team = db.session.get(Team, team_id) or abort(404)
    if services.team_member_count(team):
        flash(_("Only an empty team can be deleted: move its people to another team first."), "error")
        return redirect(url_for("admin.team", team_id=team.id))
    question = ask_first(
        _("Delete the team %(name)s?", name=team.name),
        [
            _(
                "Nobody is in it. Its managers stop managing it, and courses assigned to it as a rule "
                "and its team objectives go with it."
            ),
            _("This cannot be undone."),
        ],
        _("Delete %(name)s", name=team.name),
        url_for("admin.team", team_id=team.id),
    )
    if question:
        return question
    name = team.name
    try:
        services.delete_team(team, current_user)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.team", team_id=team.id))
    db.session.commit()
    flash(_("The team %(name)s is deleted.", name=name), "success")
    return redirect(url_for("admin.teams"))


@bp.route("/people/<id:user_id>/reset-link", methods=["POST"])
@role_required("admin")
def reset_link(user_id: int):
    """Make a password-reset link to hand to the person; any earlier unused link of theirs stops
    working. Refused for a deactivated account."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        token = services.admin_reset_link(user, current_user)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.person", user_id=user.id))
    db.session.commit()
    link = page_url("auth.reset_password", token=token)
    return render_template("admin/reset_link.html", person=user, link=link, can_email=mail_configured())


@bp.route("/invitations/<id:invitation_id>/resend", methods=["POST"])
@role_required("admin")
def resend_invitation(invitation_id: int):
    """Send an open invitation again with a fresh link (the old one stops working), by email when
    SMTP is configured, and show the link to hand over."""
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    try:
        fresh, token = services.resend_invitation(invitation, current_user)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.people"))
    queued = services.queue_invitation_email(fresh, token, current_user)
    db.session.commit()
    link = page_url("auth.accept_invitation", token=token)
    return render_template("admin/invited.html", invitation=fresh, link=link, queued=queued, resent=True)


@bp.route("/people/invite/bulk", methods=["GET", "POST"])
@role_required("admin")
def invite_bulk():
    """Invite many people from a CSV file (e-mail, name, team, roles): first a preview with what
    is wrong on each row, and nothing written; then, confirmed, everyone or nobody."""
    form = BulkInviteForm()
    if not form.validate_on_submit():
        return render_template("admin/invite_bulk.html", form=form, plan=None), 422 if form.errors else 200
    text = form.csv_text.data or ""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        try:
            text = bulk.decode_csv(upload.read(bulk.MAX_BYTES + 1))
        except Invalid as exc:
            form.file.errors.append(exc.message)
            return render_template("admin/invite_bulk.html", form=form, plan=None), 422
        form.csv_text.data = text
    plan = bulk.read_invitation_csv(text)
    if request.form.get("confirmed") == "yes" and plan.ok:
        try:
            made = bulk.invite_in_bulk(plan, current_user)
        except Invalid as exc:
            db.session.rollback()
            plan.problems.append(exc.message)
        else:
            db.session.commit()
            links = [(item, page_url("auth.accept_invitation", token=item.token)) for item in made]
            return render_template("admin/invited_bulk.html", links=links, queued=any(i.queued for i in made))
    return render_template("admin/invite_bulk.html", form=form, plan=plan), 200 if plan.ok else 422


@bp.route("/jobs")
@role_required("admin")
def job_queue():
    """The background queue: how many jobs are in each state, and the jobs that failed for good
    with their error, the latest first, each with a button to try it again."""
    page = int_param("page", 1)
    counts = jobs.job_counts()
    failed = jobs.failed_jobs(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template(
        "admin/jobs.html",
        counts=counts,
        failed=[(job, jobs.payload_of(job)) for job in failed],
        page=page,
        pages=max((counts["failed"] + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


@bp.route("/jobs/<id:job_id>/retry", methods=["POST"])
@role_required("admin")
def retry_job(job_id: int):
    """Queue a job that failed for good once more, with all its attempts again."""
    job = db.session.get(Job, job_id) or abort(404)
    if jobs.retry_job(job):
        db.session.commit()
        flash(_("Job %(id)d (%(kind)s) is queued again.", id=job.id, kind=job.kind), "success")
    else:
        flash(_("Job %(id)d has not failed, so it is left as it is.", id=job.id), "info")
    return redirect(url_for("admin.job_queue"))


@bp.route("/status.json")
@role_required("admin")
def status():
    """What the worker that answers keeps in memory: its process id and its content cache's
    entries, bytes and bound (each worker has its own; ask again to reach another); and the
    background queue's jobs in each state."""
    cache = content_cache()
    return jsonify(
        worker=os.getpid(),
        content_cache={"entries": len(cache), "bytes": cache.bytes_used, "max_bytes": cache.max_bytes},
        jobs=jobs.job_counts(),
    )
