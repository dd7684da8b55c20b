"""A small HTTP client that delivers statements to an external LRS, and the retry back-off.

tincan's ``RemoteLRS`` waits forever on a dead server and never retries, so elearn sends its
statements with this client instead: standard library only, a timeout on every socket operation,
and one call that never raises for network trouble. :meth:`LrsClient.put_statement` returns a
:class:`Delivery` saying whether the statement is delivered, should be retried later, or was
rejected and belongs on the dead-letter list.

``PUT /statements?statementId=…`` is idempotent, so retrying after a timeout is safe: an LRS that
did store the first attempt answers the retry with 204 (same statement) or 409 (it already has
that id), both of which count as delivered.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from urllib.parse import quote, urlsplit

from elearn.web.numbers import parse_whole_number

REASON_LIMIT = 500
# How a kept connection fails when the LRS has closed it while it sat idle.
_CLOSED_WHILE_IDLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
# Never read more than this of an error body: only the first REASON_LIMIT characters are kept.
_BODY_LIMIT = 64 * 1024


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Delivery:
    """What happened to one attempt to deliver one statement.

    ``status`` is the HTTP status, or None when no response arrived. ``retry_after`` is the
    server's Retry-After in seconds, if it sent one. ``reason`` is the LRS's response body
    (trimmed) or a description of the network failure, for the admin's dead-letter view.
    """

    outcome: Outcome
    status: int | None
    retry_after: float | None = None
    reason: str = ""


class LrsClient:
    """Sends statements to one LRS endpoint with HTTP Basic credentials.

    ``endpoint`` is the LRS's xAPI base URL, with or without a trailing slash
    (``https://lrs.example.org/xapi/``). ``timeout`` bounds each connect and each read, in
    seconds. ``version`` goes in the ``X-Experience-API-Version`` header (1.0.3 or 2.0.0).
    """

    def __init__(
        self,
        endpoint: str,
        username: str,
        password: str,
        timeout: float = 10.0,
        version: str = "1.0.3",
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"LRS endpoint must be an http(s) URL, not {endpoint!r}")
        if parts.query or parts.fragment:
            raise ValueError("LRS endpoint must not have a query string or fragment")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.endpoint = endpoint
        self.timeout = timeout
        self.version = version
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path.rstrip("/") + "/statements"
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"
        # Kept open between statements: a new connection (and, over https, a new TLS
        # handshake) per statement costs more than the PUT itself.
        self._connection: http.client.HTTPConnection | None = None

    def __repr__(self) -> str:
        # Never show the credentials, e.g. in a log line or a traceback.
        return f"LrsClient({self.endpoint!r}, timeout={self.timeout}, version={self.version!r})"

    def statement_url(self, statement_id: str) -> str:
        """The path and query this client PUTs a statement to."""
        return f"{self._path}?statementId={quote(statement_id, safe='')}"

    def put_statement(self, statement_id: str, statement: dict) -> Delivery:
        """PUT one statement under its id; never raises for HTTP or network failures.

        200, 204 (and any other 2xx) and 409 are delivered; 429, 5xx, timeouts, refused or
        reset connections (and redirects, which mean the endpoint is misconfigured rather than
        the statement bad) are retry; any other 4xx is rejected.
        """
        own_id = statement.get("id")
        if own_id is not None and str(own_id).lower() != statement_id.lower():
            raise ValueError(f"statement id {own_id!r} does not match statementId {statement_id!r}")
        body = json.dumps(statement, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Authorization": self._authorization,
            "X-Experience-API-Version": self.version,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "elearn-xapi",
        }
        while True:
            reused = self._connection is not None
            connection = self._connection or self._connect()
            self._connection = None
            try:
                connection.request("PUT", self.statement_url(statement_id), body, headers)
                response = connection.getresponse()
                status = response.status
                text = response.read(_BODY_LIMIT).decode("utf-8", errors="replace")
                retry_after = parse_retry_after(response.getheader("Retry-After"))
                phrase = response.reason
            except _CLOSED_WHILE_IDLE as exc:
                connection.close()
                if reused:
                    # The LRS closed the kept connection while it was idle; PUT is idempotent,
                    # so send it again on a new connection.
                    continue
                return Delivery(Outcome.RETRY, None, reason=_trim(_describe(exc)))
            except TimeoutError:
                connection.close()
                return Delivery(Outcome.RETRY, None, reason=f"no answer within {self.timeout:g} s")
            except ssl.SSLError as exc:
                connection.close()
                # Certificate trouble is the endpoint's configuration, not this statement's.
                return Delivery(Outcome.RETRY, None, reason=_trim(f"TLS error: {exc}"))
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                return Delivery(Outcome.RETRY, None, reason=_trim(_describe(exc)))
            if response.isclosed() and not response.will_close:
                self._connection = connection  # the whole answer was read: reusable
            else:
                connection.close()
            reason = _trim(text) or f"HTTP {status} {phrase}".strip()
            return Delivery(classify(status), status, retry_after, reason)

    def close(self) -> None:
        """Close the kept connection, e.g. before waiting for the next pass."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)


def classify(status: int) -> Outcome:
    """The outcome an HTTP status means for a statement PUT."""
    if 200 <= status < 300 or status == 409:
        return Outcome.DELIVERED
    if status == 429 or 500 <= status < 600:
        return Outcome.RETRY
    if 400 <= status < 500:
        return Outcome.REJECTED
    return Outcome.RETRY


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    seconds = parse_whole_number(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    attempt: int,
    retry_after: float | None,
    rng: random.Random,
    base: float = 1.0,
    cap: float = 300.0,
) -> float:
    """Seconds to wait before the next delivery attempt.

    ``attempt`` counts the failures so far (1 after the first). The delay is drawn uniformly
    from 0 up to ``base * 2 ** (attempt - 1)`` ("full jitter", so that many statements failing
    together do not all retry together), that ceiling being at most ``cap``. It is never less
    than the server's ``retry_after``, except that no wait exceeds ``cap``: a confused server
    cannot park delivery for days.
    """
    if base <= 0 or cap <= 0:
        raise ValueError("base and cap must be positive")
    exponent = min(max(attempt, 1) - 1, 64)
    ceiling = min(cap, base * 2.0**exponent)
    delay = rng.uniform(0.0, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return min(delay, cap)


def _trim(text: str) -> str:
    text = text.strip()
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection closed without a response"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the LRS host: {exc}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
