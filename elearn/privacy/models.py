"""Retention settings: how long leavers' personal details are kept, by kind of person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow


class RetentionSetting(Base):
    """Months after leaving before someone's details are erased. One row per audience
    (``pupil``, ``parent``, ``staff``); a missing row means the configured default."""

    __tablename__ = "retention_settings"

    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    keep_months: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
