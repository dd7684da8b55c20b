"""Administration's own records: notices to safeguarding leads about who was given
safeguarding access, and sign-in cards being made for a class (seen by every app server)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow


class AccessNotice(Base):
    """Tells one DSL or head that someone was given (or had reset) access to the inbox.

    Names are not copied in: the page shows the people's current names by id, so erasing
    someone's details removes them from every notice too.
    """

    __tablename__ = "access_notices"
    __table_args__ = (Index("ix_access_notices_recipient_open", "recipient_id", "dismissed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Who now has the access, who gave it, and where: kept (as NULL) if they are deleted.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    academy_id: Mapped[int | None] = mapped_column(ForeignKey("academies.id", ondelete="SET NULL"))
    # The audit action this notice reports, e.g. "access.safeguarding_granted".
    action: Mapped[str] = mapped_column(String(60))
    # The role the person holds after the change ("dsl" or "head").
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column()


class CardJob(Base):
    """Sign-in cards being made for one class (academy and year group) right now.

    The unique key lets one request at a time, on any app server, give that class new
    passwords; the row is removed in the same transaction that saves them. It names no
    person, so it holds no personal data.
    """

    __tablename__ = "card_jobs"
    __table_args__ = (UniqueConstraint("academy_id", "year_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academies.id", ondelete="CASCADE"))
    year_group: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
