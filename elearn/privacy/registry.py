"""How each domain takes part in subject access requests and erasure.

Register at import time of your domain's services module (the module your blueprint
imports), the same way holds are registered in ``elearn.privacy.holds``. Each registration
names the tables it covers, so a test can walk the metadata and find any table that holds
personal data but takes part in neither::

    from elearn.privacy.registry import register_eraser, register_exporter

    @register_exporter("quiz_attempts", tables=("quiz_attempts", "quiz_attempt_answers"))
    def export_attempts(session: Session, user_id: int) -> list[dict]:
        # Everything your domain holds about the person, as JSON-ready data
        # (str, int, float, bool, None, lists, dicts; format dates with .isoformat()).
        ...

    @register_eraser(tables=("quiz_attempts", "quiz_attempt_answers"))
    def erase_attempts(session: Session, user_id: int) -> None:
        # Remove what identifies the person: free text they wrote, names, contact details.
        # Keep rows needed for statistics keyed by user id or the person's opaque xapi_id:
        # the person row itself stays (with its xapi_id) but loses every personal field.
        ...

A section registered with ``confidential=True`` goes only into the copy made for the
academy's safeguarding lead, never into the copy handed to the person (or to whoever holds
their password): safeguarding content is the DSL's to disclose, case by case.

Rules for both kinds of function:

* take the ``Session`` given and the person's ``user_id``; never commit or roll back;
* erasers run in the same transaction, before the person's own row is anonymised, and only
  after every hold (``elearn.privacy.holds.reasons_to_keep``) has come back empty: a domain
  that must keep a record registers a hold rather than silently skipping erasure;
* an exporter's name becomes a top-level key of the export, so choose a plain, unique one;
* an exporter brings a ``SectionGuide``: its title, what it is, and a plain explanation of
  every key (and every code a key can hold) in what it returns. The readable copy of the
  export prints these as its glossary, and a test checks that no key goes unexplained.

A table that holds nothing identifying once the person's own row is anonymised (it refers to
them only by id) says so with ``register_kept(tables=..., why=...)`` instead of an eraser,
so the metadata walk still finds every table accounted for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, overload

from sqlalchemy.orm import Session

Exporter = Callable[[Session, int], Any]
Eraser = Callable[[Session, int], None]

EXPORTERS: dict[str, Exporter] = {}
ERASERS: list[Eraser] = []
# Section names that only the DSL's copy of an export holds.
CONFIDENTIAL: set[str] = set()
# Table name -> the export sections and the erasers that cover it.
EXPORTED_TABLES: dict[str, set[str]] = {}
ERASED_TABLES: dict[str, set[str]] = {}


def iso(value: date | datetime | None) -> str | None:
    """A date or time as every export writes it (ISO 8601), or None."""
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class SectionGuide:
    """What a section of the export is, in words the person can follow."""

    title: str
    about: str
    # Every key the section's data can hold -> what it means (and the codes it can take).
    keys: Mapping[str, str] = field(default_factory=dict)


# Section name -> its guide; the readable export's glossary is made from these.
GUIDES: dict[str, SectionGuide] = {}
# Table name -> why it is kept as it is when a person is erased.
KEPT_TABLES: dict[str, str] = {}


def _qualified_name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


@overload
def register_exporter(
    name: str,
    *,
    tables: Iterable[str],
    confidential: bool = False,
    guide: SectionGuide | None = None,
) -> Callable[[Exporter], Exporter]: ...
@overload
def register_exporter(
    name: str,
    exporter: Exporter,
    *,
    tables: Iterable[str],
    confidential: bool = False,
    guide: SectionGuide | None = None,
) -> Exporter: ...


def register_exporter(
    name: str,
    exporter: Exporter | None = None,
    *,
    tables: Iterable[str],
    confidential: bool = False,
    guide: SectionGuide | None = None,
) -> Exporter | Callable[[Exporter], Exporter]:
    """Add a section to every export; usable directly or as a decorator."""
    covered = tuple(tables)

    def add(function: Exporter) -> Exporter:
        EXPORTERS[name] = function  # re-registering (module reloads in tests) replaces
        if guide is not None:
            GUIDES[name] = guide
        if confidential:
            CONFIDENTIAL.add(name)
        else:
            CONFIDENTIAL.discard(name)
        for table in covered:
            EXPORTED_TABLES.setdefault(table, set()).add(name)
        return function

    return add(exporter) if exporter is not None else add


@overload
def register_eraser(*, tables: Iterable[str]) -> Callable[[Eraser], Eraser]: ...
@overload
def register_eraser(eraser: Eraser, *, tables: Iterable[str]) -> Eraser: ...


def register_eraser(
    eraser: Eraser | None = None, *, tables: Iterable[str]
) -> Eraser | Callable[[Eraser], Eraser]:
    """Add a step to every erasure; usable directly or as a decorator."""
    covered = tuple(tables)

    def add(function: Eraser) -> Eraser:
        name = _qualified_name(function)
        ERASERS[:] = [e for e in ERASERS if _qualified_name(e) != name]
        ERASERS.append(function)
        for table in covered:
            ERASED_TABLES.setdefault(table, set()).add(name)
        return function

    return add(eraser) if eraser is not None else add


def register_kept(*, tables: Iterable[str], why: str) -> None:
    """Say that erasure leaves these tables as they are, and why that identifies nobody."""
    for table in tables:
        KEPT_TABLES[table] = why
        ERASED_TABLES.setdefault(table, set()).add(f"kept: {why}")
