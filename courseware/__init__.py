"""Courseware: a training platform for an organisation's social media practice."""

from __future__ import annotations

import logging
import os

from flask import Flask

from courseware.config import default_settings, finalise, instance_folder, read_environment


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, commands and error pages."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=instance_folder(config),
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.from_mapping(default_settings(app.instance_path))
    app.config["LESSONS_PATH"] = os.path.join(root, "lessons")
    read_environment(app.config)
    if config:
        app.config.from_mapping(config)
    finalise(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    _register_middleware(app)
    _register_extensions(app)
    _register_url_converters(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


def _register_middleware(app: Flask) -> None:
    """Read requests with the evidence upload limits (``evidence.uploads``); trust
    ``X-Forwarded-*`` from the configured number of proxies (client address, scheme, host)."""
    from courseware.evidence.uploads import UploadRequest

    app.request_class = UploadRequest
    count = int(app.config["PROXY_COUNT"])
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _register_extensions(app: Flask) -> None:
    from courseware import i18n
    from courseware.auth.sessions import init_login
    from courseware.core import caching
    from courseware.core.security import init_security
    from courseware.extensions import csrf, db, limiter

    db.init_app(app)
    i18n.init_app(app)
    caching.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_security(app)


def _register_url_converters(app: Flask) -> None:
    from courseware.core.converters import register_converters

    register_converters(app)


def _register_blueprints(app: Flask) -> None:
    from courseware.admin.routes import bp as admin_bp
    from courseware.api.routes import bp as api_bp
    from courseware.auth.account import bp as account_bp
    from courseware.auth.preferences import bp as preferences_bp
    from courseware.auth.routes import bp as auth_bp
    from courseware.authoring.routes import bp as author_bp
    from courseware.authoring.translations import bp as translations_bp
    from courseware.core.routes import bp as core_bp
    from courseware.covers.routes import bp as covers_bp
    from courseware.discussions.routes import bp as discussions_bp
    from courseware.drafts.routes import bp as drafts_bp
    from courseware.evidence.routes import bp as evidence_bp
    from courseware.images.routes import bp as images_bp
    from courseware.learn.routes import bp as learn_bp
    from courseware.manage.routes import bp as manage_bp
    from courseware.manage.team_objectives import bp as team_objectives_bp
    from courseware.mentoring.routes import bp as mentoring_bp
    from courseware.notifications.routes import bp as notifications_bp
    from courseware.organisation.routes import bp as organisation_bp
    from courseware.packages import content_origin
    from courseware.packages.cmi5 import bp as cmi5_bp
    from courseware.packages.routes import bp as packages_bp
    from courseware.review.routes import bp as review_bp
    from courseware.scim.admin import bp as provisioning_bp
    from courseware.scim.routes import bp as scim_bp
    from courseware.sso.routes import bp as sso_bp
    from courseware.threads.routes import bp as threads_bp
    from courseware.xapi.admin import bp as lrs_admin_bp
    from courseware.xapi.routes import bp as xapi_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(preferences_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(author_bp, url_prefix="/author")
    app.register_blueprint(translations_bp, url_prefix="/author")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(evidence_bp, url_prefix="/evidence")
    app.register_blueprint(threads_bp, url_prefix="/threads")
    app.register_blueprint(drafts_bp, url_prefix="/drafts")
    app.register_blueprint(discussions_bp, url_prefix="/discussions")
    app.register_blueprint(mentoring_bp, url_prefix="/mentoring")
    app.register_blueprint(team_objectives_bp, url_prefix="/manage")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(sso_bp)
    app.register_blueprint(provisioning_bp, url_prefix="/admin/provisioning")
    app.register_blueprint(scim_bp, url_prefix="/scim/v2")
    app.register_blueprint(lrs_admin_bp, url_prefix="/admin/lrs")
    app.register_blueprint(xapi_bp, url_prefix="/xapi")
    app.register_blueprint(organisation_bp)
    app.register_blueprint(covers_bp)
    app.register_blueprint(packages_bp)
    content_origin.init_app(app)
    app.register_blueprint(cmi5_bp)
    app.register_blueprint(images_bp)


def _register_cli(app: Flask) -> None:
    from courseware.auth.cli import users_cli
    from courseware.cli import db_cli
    from courseware.content.cli import lessons_cli
    from courseware.demo.cli import demo_cli
    from courseware.jobs.cli import worker_command
    from courseware.learn.cli import objectives_cli
    from courseware.manage.cli import reminders_cli
    from courseware.notifications.cli import digests_cli
    from courseware.progress.cli import progress_cli
    from courseware.xapi.cli import lrs_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(lessons_cli)
    app.cli.add_command(progress_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(digests_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(objectives_cli)
    app.cli.add_command(lrs_cli)


def _register_error_handlers(app: Flask) -> None:
    from courseware.core.errors import register_error_handlers

    register_error_handlers(app)


def _register_template_helpers(app: Flask) -> None:
    from courseware.core.templating import register_template_helpers

    register_template_helpers(app)
