"""Provisioning from the organisation's directory over SCIM: the tokens it uses, and what SCIM
knows of people and teams beyond their Courseware fields."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow
from courseware.models.accounts import Team, User


class ScimToken(Base):
    """A bearer token a directory provisions with; only its SHA-256 is stored."""

    __tablename__ = "scim_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()


class ScimUser(Base):
    """What the directory said of a person that Courseware has no field for."""

    __tablename__ = "scim_users"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The directory's userName when it is not the e-mail address (an Entra UPN, say).
    user_name: Mapped[str | None] = mapped_column(String(254))
    # userName lower-cased (userName is case-insensitive): one person per userName.
    folded_user_name: Mapped[str | None] = mapped_column(String(254), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    given_name: Mapped[str | None] = mapped_column(String(120))
    family_name: Mapped[str | None] = mapped_column(String(120))
    formatted_name: Mapped[str | None] = mapped_column(String(255))
    # Whether the directory gave a displayName: without one the account's name is made from the
    # name parts (or the e-mail address) and SCIM serves no displayName.
    display_name_assigned: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Whether the directory said if the person is active: without it the account keeps its state
    # and SCIM serves no active.
    active_assigned: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by a SCIM DELETE: the account stays (deactivated), SCIM no longer serves it.
    deprovisioned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ScimGroup(Base):
    """What the directory said of a team beyond its name."""

    __tablename__ = "scim_groups"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()


__all__ = ["ScimGroup", "ScimToken", "ScimUser"]
