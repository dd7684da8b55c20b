"""An uploaded roster waiting for an administrator to confirm its dry run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow


class RosterUpload(Base):
    """The files behind one dry run. Their text is removed once applied (or when stale), so
    copies of the roster do not linger; the summary of what happened is kept."""

    __tablename__ = "roster_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    file_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    contents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime | None] = mapped_column()
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
