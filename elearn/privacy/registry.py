"""How each domain takes part in subject access requests and erasure.

Register at import time of your domain's services module (the module your blueprint
imports), the same way holds are registered in ``elearn.privacy.holds``::

    from elearn.privacy.registry import register_eraser, register_exporter

    @register_exporter("quiz_attempts")
    def export_attempts(session: Session, user_id: int) -> list[dict]:
        # Everything your domain holds about the person, as JSON-ready data
        # (str, int, float, bool, None, lists, dicts; format dates with .isoformat()).
        ...

    @register_eraser
    def erase_attempts(session: Session, user_id: int) -> None:
        # Remove what identifies the person: free text they wrote, names, contact details.
        # Keep rows needed for statistics keyed by user id or the person's opaque xapi_id:
        # the person row itself stays (with its xapi_id) but loses every personal field.
        ...

Rules for both kinds of function:

* take the ``Session`` given and the person's ``user_id``; never commit or roll back;
* erasers run in the same transaction, before the person's own row is anonymised, and only
  after every hold (``elearn.privacy.holds.reasons_to_keep``) has come back empty: a domain
  that must keep a record registers a hold rather than silently skipping erasure;
* an exporter's name becomes a top-level key of the export, so choose a plain, unique one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

from sqlalchemy.orm import Session

Exporter = Callable[[Session, int], Any]
Eraser = Callable[[Session, int], None]

EXPORTERS: dict[str, Exporter] = {}
ERASERS: list[Eraser] = []


@overload
def register_exporter(name: str) -> Callable[[Exporter], Exporter]: ...
@overload
def register_exporter(name: str, exporter: Exporter) -> Exporter: ...


def register_exporter(
    name: str, exporter: Exporter | None = None
) -> Exporter | Callable[[Exporter], Exporter]:
    """Add a section to every export; usable directly or as a decorator."""

    def add(function: Exporter) -> Exporter:
        EXPORTERS[name] = function  # re-registering (module reloads in tests) replaces
        return function

    return add(exporter) if exporter is not None else add


def register_eraser(eraser: Eraser) -> Eraser:
    """Add a step to every erasure; usable directly or as a decorator."""
    if eraser not in ERASERS:
        ERASERS.append(eraser)
    return eraser
