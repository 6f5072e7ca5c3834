"""The Learning Record Store: statements as received, the keys they are found by, documents,
attachments, activity definitions, and the clients allowed to use it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow
from courseware.models.accounts import User

XAPI_SCOPES = ("statements/read/mine", "statements/read", "statements/write", "state", "profile")
# Which statements a forwarding target is sent: every new one, or only Courseware's own (those
# no LRS client sent).
FORWARD_SELECTIONS = ("all", "own")
FORWARD_VERSIONS = ("2.0.0", "1.0.3")
FORWARD_STATES = ("waiting", "sending", "failed")


class XapiClient(Base):
    """A system that talks to the LRS with HTTP Basic: a public key and a secret kept as SHA-256."""

    __tablename__ = "xapi_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Space-separated, from XAPI_SCOPES.
    scopes: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The xAPI version of its latest request: a refusal of a request without one is answered in it.
    last_version: Mapped[str | None] = mapped_column(String(8))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class XapiStatement(Base):
    """One statement: the JSON as received with the LRS's additions (id, stored, authority,
    version, timestamp), and the columns the common filters use."""

    __tablename__ = "xapi_statements"
    __table_args__ = (Index("ix_xapi_statements_stored_id", "stored", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    statement: Mapped[str] = mapped_column(Text)
    stored: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # The id of the statement this one voids, when it is a voiding statement.
    voids_id: Mapped[str | None] = mapped_column(String(36))
    # SHA-256 (hex, 64) of the actor's identifying property, the verb IRI and the object activity IRI.
    actor_key: Mapped[str] = mapped_column(String(64), index=True)
    verb_key: Mapped[str] = mapped_column(String(64), index=True)
    activity_key: Mapped[str | None] = mapped_column(String(64), index=True)
    registration: Mapped[str | None] = mapped_column(String(36), index=True)
    # The client whose credentials stored it (for "read own" scope).
    client_id: Mapped[int | None] = mapped_column(ForeignKey("xapi_clients.id", ondelete="SET NULL"), index=True)


class XapiStatementKey(Base):
    """A key a statement is found by: its agents, activities, verb and registration, directly or
    through ``related_*``, including those of a statement it refers to."""

    __tablename__ = "xapi_statement_keys"
    __table_args__ = (Index("ix_xapi_statement_keys_kind_key", "kind", "key", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("xapi_statements.id", ondelete="CASCADE"), index=True)
    # agent, related_agent, activity, related_activity, verb, registration
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(64))


class XapiActivity(Base):
    """The latest definition the LRS was given of an activity (for ``/activities``)."""

    __tablename__ = "xapi_activities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)


class XapiAttachment(Base):
    """An attachment's content, stored once per SHA-2 hash."""

    __tablename__ = "xapi_attachments"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class XapiDocument(Base):
    """A state, activity profile or agent profile document."""

    __tablename__ = "xapi_documents"
    __table_args__ = (
        UniqueConstraint(
            "kind", "activity_key", "agent_key", "registration", "doc_key", name="uq_xapi_documents_scope"
        ),
        Index("ix_xapi_documents_lookup", "kind", "activity_key", "agent_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # state, activity_profile, agent_profile
    kind: Mapped[str] = mapped_column(String(20))
    activity_key: Mapped[str] = mapped_column(String(64), default="")
    agent_key: Mapped[str] = mapped_column(String(64), default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    doc_key: Mapped[str] = mapped_column(String(64))
    doc_id: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    updated: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class XapiForwardTarget(Base):
    """Another LRS that new statements are forwarded to, with HTTP Basic credentials (the secret
    kept encrypted with a key derived from the site's secret key, since it must be sent)."""

    __tablename__ = "xapi_forward_targets"
    __table_args__ = (
        CheckConstraint("statements IN ('all', 'own')", name="statements"),
        CheckConstraint("version IN ('2.0.0', '1.0.3')", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The LRS's base address, ending in "/": statements are POSTed to <endpoint>statements.
    endpoint: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(200))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(8), default="2.0.0")
    statements: Mapped[str] = mapped_column(String(10), default="all")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Statements the other side accepted (their rows are deleted once delivered).
    delivered_count: Mapped[int] = mapped_column(Integer, default=0)
    last_delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class XapiForward(Base):
    """A statement on its way to a target: waiting, being sent by the job in ``job_id``, or failed
    for good with the other side's answer. Deleted once delivered."""

    __tablename__ = "xapi_forwards"
    __table_args__ = (
        Index("ix_xapi_forwards_target_state_id", "target_id", "state", "id"),
        CheckConstraint("state IN ('waiting', 'sending', 'failed')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("xapi_forward_targets.id", ondelete="CASCADE"))
    statement_id: Mapped[str] = mapped_column(ForeignKey("xapi_statements.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    # The job sending it (a plain id: finished jobs are deleted, and by then the row is gone or failed).
    job_id: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


__all__ = [
    "FORWARD_SELECTIONS",
    "FORWARD_STATES",
    "FORWARD_VERSIONS",
    "XAPI_SCOPES",
    "XapiActivity",
    "XapiAttachment",
    "XapiClient",
    "XapiDocument",
    "XapiForward",
    "XapiForwardTarget",
    "XapiStatement",
    "XapiStatementKey",
]
