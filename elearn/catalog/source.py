"""The app's catalogue: loaded once, and reloaded when content files change (if configured).

Teachers edit a lesson or a bank in a text editor and see the change without touching code.
Reloading compares file modification times at most every ``reload_seconds`` (0 = never).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from elearn.catalog.loader import load_catalog
from elearn.catalog.model import Catalog

log = logging.getLogger("elearn.catalog")
FOLDERS = ("courses", "content", "quizzes")


def _fingerprint(root: Path) -> tuple[int, int]:
    newest, count = 0, 0
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            count += 1
            newest = max(newest, path.stat().st_mtime_ns)
    return newest, count


class CatalogSource:
    def __init__(self, root: Path, reload_seconds: float = 0.0) -> None:
        self.root = root
        self.reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._fingerprint: tuple[int, int] | None = None
        self._checked = 0.0

    def get(self) -> Catalog:
        if self._catalog is None or (
            self.reload_seconds and time.monotonic() - self._checked >= self.reload_seconds
        ):
            with self._lock:
                self._refresh()
        assert self._catalog is not None
        return self._catalog

    def _refresh(self) -> None:
        self._checked = time.monotonic()
        fingerprint = _fingerprint(self.root)
        if self._catalog is not None and fingerprint == self._fingerprint:
            return
        catalog = load_catalog(self.root)
        self._catalog, self._fingerprint = catalog, fingerprint
        log.info(
            "catalogue loaded: %d course(s) served, %d rejected",
            len(catalog.courses),
            len(catalog.rejected),
        )
