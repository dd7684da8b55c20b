"""Why the LRS refuses a request, as its services say it: an HTTP status and a reason.

The services (ingest, documents) raise a :class:`Refused`; the HTTP resources answer it as
the xAPI error JSON. One class, so the resources catch every service's refusals alike.
"""

from __future__ import annotations


class Refused(Exception):
    """The request cannot be carried out; ``status`` (400, 409, 412) and ``reason`` say why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
