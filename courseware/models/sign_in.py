"""Signing in with an organisation's accounts: OpenID providers, the people linked to them, the
group mappings that set teams and roles, the sign-in log and the organisation's sign-in options."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow
from courseware.models.accounts import Team, User

SIGN_IN_OUTCOMES = ("signed-in", "refused", "linked", "created")


class SignInProvider(Base):
    """An OpenID Connect provider people may sign in with, as an admin configured it."""

    __tablename__ = "sign_in_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Part of the redirect URI registered at the provider, so it never changes once made.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # Fernet token of the client secret (see courseware.sso.secrets); None when it comes from the environment.
    client_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lower-case domains, one space between, whose people get an account at their first sign-in.
    allowed_domains: Mapped[str] = mapped_column(String(1000), default="")
    groups_claim: Mapped[str | None] = mapped_column(String(80))
    # The discovery document as read when the provider was last saved.
    discovery: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    group_mappings: Mapped[list[SignInGroupMapping]] = relationship(
        cascade="all, delete-orphan", order_by="SignInGroupMapping.position", back_populates="provider"
    )

    @property
    def domain_list(self) -> list[str]:
        return self.allowed_domains.split()


class SignInGroupMapping(Base):
    """People in ``group_value`` (of the provider's groups claim) get this team and these roles."""

    __tablename__ = "sign_in_group_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("sign_in_providers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    group_value: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    roles: Mapped[str] = mapped_column(String(100), default="")

    provider: Mapped[SignInProvider] = relationship(back_populates="group_mappings")
    team: Mapped[Team | None] = relationship()

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class SignInLink(Base):
    """A person's account at a provider (its ``sub``), linked to their Courseware account."""

    __tablename__ = "sign_in_links"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("sign_in_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInEvent(Base):
    """One line of the sign-in log: a sign-in, a refusal (with its reason), a link or a new account."""

    __tablename__ = "sign_in_events"
    __table_args__ = (
        CheckConstraint("outcome IN ('signed-in', 'refused', 'linked', 'created')", name="outcome"),
        Index("ix_sign_in_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("sign_in_providers.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    subject: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(500), default="")

    provider: Mapped[SignInProvider | None] = relationship()
    user: Mapped[User | None] = relationship()


class SignInSettings(Base):
    """The organisation's sign-in options: one row."""

    __tablename__ = "sign_in_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    password_admins_only: Mapped[bool] = mapped_column(Boolean, default=False)


__all__ = [
    "SIGN_IN_OUTCOMES",
    "SignInEvent",
    "SignInGroupMapping",
    "SignInLink",
    "SignInProvider",
    "SignInSettings",
]
