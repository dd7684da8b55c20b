"""What every learning service needs to know about the moment and the site, as plain values."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from elearn.compliance.rules import uk_date


@dataclass(frozen=True)
class Moment:
    """When something happens and where: the base URL is what xAPI activity ids hang off."""

    now: datetime
    base_url: str
    rng: random.Random = field(default_factory=random.Random, compare=False)

    @property
    def today(self) -> date:
        return uk_date(self.now)

    def new_id(self) -> str:
        return str(uuid.uuid4())
