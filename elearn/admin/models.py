"""Work in progress that every app server must see: a class's sign-in cards being made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow


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
