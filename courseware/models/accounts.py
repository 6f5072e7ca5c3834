"""People, their roles and teams, who manages and mentors whom, invitations and sessions."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from courseware.db import Base, UTCDateTime, utcnow

ROLES = ("learner", "trainer", "manager", "admin")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (Index("uq_teams_folded_name", "folded_name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The name case-folded (set with the name): "Sales" and "sales" are one team, even when two
    # admins create them at once. Folding can lengthen a name, hence the room.
    folded_name: Mapped[str] = mapped_column(String(360), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="team", foreign_keys="User.team_id")

    @validates("name")
    def _fold_name(self, _key, name: str) -> str:
        self.folded_name = fold_team_name(name)
        return name


def fold_team_name(name: str) -> str:
    """The form of a team name that two names equal but for case share."""
    return name.strip().casefold()


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # An IANA zone name the person sees times in; None follows the organisation's default.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # The language the person prefers: "" follows the browser's.
    locale: Mapped[str] = mapped_column(String(10), default="", server_default="")

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )

    @property
    def roles(self) -> set[str]:
        names = self.__dict__.get("_role_names")
        if names is not None:
            return set(names)
        return {row.role for row in self.role_rows}

    def loaded_roles(self, names) -> None:
        """The roles as read along with the person (so that ``roles`` needs no query of its own)."""
        self.__dict__["_role_names"] = frozenset(names)

    def set_roles(self, roles) -> None:
        self.__dict__.pop("_role_names", None)
        wanted = set(roles) | {"learner"}
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def set_password(self, password: str) -> None:
        from courseware.auth.passwords import hash_password

        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        from courseware.auth.passwords import verify_password

        return self.password_hash is not None and verify_password(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint("role IN ('learner', 'trainer', 'manager', 'admin')", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ManagerScope(Base):
    """A manager sees the people of each team they manage."""

    __tablename__ = "manager_scopes"

    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)


class Mentorship(Base):
    __tablename__ = "mentorships"

    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Base):
    """An emailed invitation; only a hash of its token is stored."""

    __tablename__ = "invitations"
    # At most one open invitation per address (stored in lower case), so that only one link can
    # make the account.
    __table_args__ = (
        Index(
            "uq_invitations_email_open",
            "email",
            unique=True,
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
            sqlite_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    roles: Mapped[str] = mapped_column(String(100), default="learner")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The name the admin gave (a bulk invitation's), offered on the acceptance form.
    name: Mapped[str | None] = mapped_column(String(120))

    team: Mapped[Team | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class PasswordReset(Base):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class EmailChange(Base):
    """A new address someone asked for, waiting for the confirmation link sent to it; only a hash
    of the link's token is stored, and the address changes only when the link is used."""

    __tablename__ = "email_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A server-side login session: the cookie carries only its random identifier."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_revoked_at", "user_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A personal token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the notification went out in a daily digest e-mail.
    digested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


NOTIFICATION_DELIVERIES = ("app", "each", "digest")


class NotificationPreference(Base):
    """How a person wants to hear of their notifications beyond the app: not at all ("app"), an
    e-mail for each ("each"), or one daily digest e-mail ("digest"). No row: an e-mail for each."""

    __tablename__ = "notification_preferences"
    __table_args__ = (CheckConstraint("delivery IN ('app', 'each', 'digest')", name="delivery"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reminder(Base):
    """A nudge sent to a learner; at most one a day per learner."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[dt.date] = mapped_column()
    reason: Mapped[str] = mapped_column(String(40))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The manager's own words, when they added some.
    message: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("uq_reminders_user_id_sent_on", "user_id", "sent_on", unique=True),)


__all__ = [
    "ROLES",
    "ApiToken",
    "EmailChange",
    "Invitation",
    "ManagerScope",
    "Mentorship",
    "NOTIFICATION_DELIVERIES",
    "Notification",
    "NotificationPreference",
    "PasswordReset",
    "Reminder",
    "Team",
    "User",
    "UserRole",
    "UserSession",
]
