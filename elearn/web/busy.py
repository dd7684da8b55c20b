"""A write that cannot get the database in time is answered 503 with Retry-After, never 500.

On SQLite one writer holds the lock at a time; a request that waits past the busy timeout
gets "database is locked". On PostgreSQL the same happens to a statement that reaches its
``lock_timeout``. Either way nothing was written (the transaction is rolled back with the
session) and the same request sent again shortly will very likely succeed, so the client is
told exactly that: LRS clients in JSON, people on a page that keeps what they typed a step
back in the browser.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError

RETRY_AFTER_SECONDS = 2

# sqlite3 says "database is locked" (or "database table is locked"); PostgreSQL's SQLSTATE
# 55P03 is lock_not_available.
_SQLITE_BUSY = ("database is locked", "database table is locked")
_POSTGRES_LOCK_NOT_AVAILABLE = "55P03"

log = logging.getLogger(__name__)


def is_busy(error: OperationalError) -> bool:
    """Whether the database refused because another transaction held a lock too long."""
    original = error.orig
    if getattr(original, "sqlstate", None) == _POSTGRES_LOCK_NOT_AVAILABLE:
        return True
    return any(text in str(original) for text in _SQLITE_BUSY)


def init_app(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def database_error(error: OperationalError) -> Response | tuple[str, int, dict[str, str]]:
        if not is_busy(error):
            # Any other database failure is a fault: the usual 500, logged with its trace.
            log.error("database error on %s %s", request.method, request.path, exc_info=error)
            return render_template("errors/error.html", status=500), 500, {}
        log.warning("database busy: %s %s answered 503", request.method, request.path)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.blueprint == "xapi":
            response = jsonify(
                message="the store is busy with other writes; nothing was stored, send it again"
            )
            response.status_code = 503
            response.headers.update(headers)
            return response
        return render_template("errors/error.html", status=503), 503, headers
