"""A real, scriptable Learning Record Store on 127.0.0.1 for tests and benchmarks.

It listens on a free port and speaks enough of the Statement resource for a forwarder:
``PUT {endpoint}statements?statementId=…`` stores a statement (the same statement again is a 204,
a different one under the same id a 409), ``POST`` stores one or a list, ``GET ?statementId=``
returns one, and ``GET {endpoint}about`` answers with its versions. Statements are checked with
elearn's own validator, so an invalid one gets the 400 a strict LRS would give.

Typical use, through the ``fake_lrs`` fixture or as a context manager::

    with FakeLrs() as lrs:
        client = LrsClient(lrs.endpoint, "user", "secret")
        lrs.fail_next(2, status=503, retry_after=30)   # the next two requests get 503
        lrs.drop_next()                                 # then one is closed unanswered
        ...
        assert lrs.statements[statement_id] == statement
        assert [r.status for r in lrs.requests] == [503, 503, None, 204]

Scripted faults are used up one per request, in the order they were scripted; once they are
gone the LRS behaves normally. Every request is recorded (:attr:`FakeLrs.requests`) as it
arrives, with the fault it met; its ``status`` is filled in once answered and stays None if it
was dropped, reset, still sleeping in a SLOW fault, or cut short by :meth:`stop`. A SLOW request
is handled (and its statement stored) only after its delay.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from elearn.xapi.validation import StatementInvalid, statements_equivalent, validate_statement

PREFIX = "/xapi/"


class Fault(StrEnum):
    DROP = "drop"  # read the request, then close the connection without answering
    RESET = "reset"  # read the request, then abort the connection (TCP reset)
    STATUS = "status"  # answer with a chosen status (and Retry-After) instead of working
    SLOW = "slow"  # wait before answering, e.g. longer than the client's timeout
    # Answer, then close the connection without saying so beforehand, as an LRS does with a
    # kept-alive connection that has been idle too long.
    CLOSE_AFTER = "close_after"


@dataclass(frozen=True)
class _Scripted:
    fault: Fault
    status: int = 503
    retry_after: str | None = None
    body: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake LRS received, and the status it answered (None: no answer)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    status: int | None
    fault: Fault | None = None
    # The client's end of the TCP connection: requests on one kept connection share it.
    client_port: int = 0

    def header(self, name: str) -> str | None:
        """A request header, by case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statements: dict[str, dict] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    script: deque[_Scripted] = field(default_factory=deque)
    rejections: dict[str, tuple[int, str]] = field(default_factory=dict)
    credentials: tuple[str, str] | None = None


class FakeLrs:
    """A threaded HTTP server on 127.0.0.1 that behaves like an LRS and can be told to misbehave.

    ``validate`` runs elearn's statement validator on stored statements (400 when invalid).
    """

    def __init__(self, *, validate: bool = True) -> None:
        self.validate = validate
        self._state = _State()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeLrs:
        """Start listening on a free port; returns self."""
        if self._server is not None:
            raise RuntimeError("the fake LRS is already running")
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.lrs = self  # type: ignore[attr-defined]
        self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            # A short poll interval so that stop() returns quickly.
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-lrs",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and wake any request still sleeping in a SLOW fault."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeLrs:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake LRS is not running")
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        """The xAPI base URL to give a client, with a trailing slash."""
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    # --- scripting ----------------------------------------------------------------------------

    def drop_next(self, n: int = 1) -> None:
        """Close the connection without any answer for the next ``n`` requests."""
        self._add(n, _Scripted(Fault.DROP))

    def reset_next(self, n: int = 1) -> None:
        """Abort the connection with a TCP reset for the next ``n`` requests."""
        self._add(n, _Scripted(Fault.RESET))

    def fail_next(
        self, n: int = 1, *, status: int = 503, retry_after: int | str | None = None, body: str = ""
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (503 by default), storing nothing.

        ``retry_after`` is sent as the Retry-After header: seconds, or an HTTP-date string.
        """
        text = None if retry_after is None else str(retry_after)
        self._add(n, _Scripted(Fault.STATUS, status=status, retry_after=text, body=body))

    def close_after_next(self, n: int = 1) -> None:
        """Answer the next ``n`` requests normally, then close their connections unannounced."""
        self._add(n, _Scripted(Fault.CLOSE_AFTER))

    def delay_next(self, n: int = 1, *, seconds: float) -> None:
        """Wait ``seconds`` before handling each of the next ``n`` requests normally."""
        self._add(n, _Scripted(Fault.SLOW, seconds=seconds))

    def reject(self, statement_id: str, reason: str, *, status: int = 400) -> None:
        """Always refuse this statement id with ``status`` and ``reason`` as the body."""
        with self._state.lock:
            self._state.rejections[statement_id.lower()] = (status, reason)

    def require_credentials(self, username: str, password: str) -> None:
        """Answer 401 to any request without these HTTP Basic credentials."""
        with self._state.lock:
            self._state.credentials = (username, password)

    def clear_script(self) -> None:
        """Forget faults scripted but not yet used."""
        with self._state.lock:
            self._state.script.clear()

    def _add(self, n: int, scripted: _Scripted) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._state.lock:
            self._state.script.extend([scripted] * n)

    # --- inspection ---------------------------------------------------------------------------

    @property
    def statements(self) -> dict[str, dict]:
        """A copy of the stored statements, by lower-case id."""
        with self._state.lock:
            return dict(self._state.statements)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, oldest first."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def pending_faults(self) -> int:
        with self._state.lock:
            return len(self._state.script)

    # --- used by the request handler ----------------------------------------------------------

    def _arrive(self, request: RecordedRequest) -> tuple[int, _Scripted | None]:
        """Record a request as it arrives and hand it the next scripted fault, atomically."""
        with self._state.lock:
            scripted = self._state.script.popleft() if self._state.script else None
            if scripted is not None:
                request = replace(request, fault=scripted.fault)
            self._state.requests.append(request)
            return len(self._state.requests) - 1, scripted

    def _answered(self, index: int, status: int) -> None:
        with self._state.lock:
            self._state.requests[index] = replace(self._state.requests[index], status=status)

    def _authorised(self, header: str | None) -> bool:
        with self._state.lock:
            expected = self._state.credentials
        if expected is None:
            return True
        token = base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode("ascii")
        return header == f"Basic {token}"

    def _store(self, statement_id: str, data: Any) -> tuple[int, str]:
        """Apply one PUT (or one statement of a POST); return the status and body."""
        if not isinstance(data, dict):
            return 400, "a statement must be a JSON object"
        key = statement_id.lower()
        if "id" in data and str(data["id"]).lower() != key:
            return 400, "the statement's id does not match the statementId parameter"
        with self._state.lock:
            rejection = self._state.rejections.get(key)
        if rejection is not None:
            return rejection
        statement = {**data, "id": statement_id}
        if self.validate:
            try:
                validate_statement(statement)
            except StatementInvalid as exc:
                return 400, exc.reason
        with self._state.lock:
            existing = self._state.statements.get(key)
            if existing is None:
                self._state.statements[key] = statement
                return 204, ""
        if statements_equivalent(existing, statement):
            return 204, ""
        return 409, f"a different statement with id {statement_id} is already stored"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _index = -1  # this request's place in FakeLrs.requests, set as it arrives
    server_version = "FakeLRS/1.0"

    def do_GET(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    @property
    def lrs(self) -> FakeLrs:
        return self.server.lrs  # type: ignore[attr-defined]

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        arrived = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=query,
            headers=dict(self.headers.items()),
            body=body,
            status=None,
            client_port=self.client_address[1],
        )
        self._index, scripted = self.lrs._arrive(arrived)
        try:
            if scripted is not None and scripted.fault in (Fault.DROP, Fault.RESET):
                self._hang_up(reset=scripted.fault is Fault.RESET)
            elif scripted is not None and scripted.fault is Fault.STATUS:
                headers = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
                self._send(scripted.status, scripted.body, headers)
            elif scripted is not None and scripted.fault is Fault.CLOSE_AFTER:
                self._send(*self._route(parts.path, query, body))
                self.close_connection = True
            elif scripted is not None and self.lrs._stopping.wait(scripted.seconds):
                self._hang_up(reset=False)  # stopped while sleeping
            else:
                self._send(*self._route(parts.path, query, body))
        except OSError:
            pass  # the client gave up, e.g. timed out while the request slept

    def _route(self, path: str, query: dict[str, str], body: bytes) -> tuple[int, Any]:
        if not self.lrs._authorised(self.headers.get("Authorization")):
            return 401, "missing or wrong credentials"
        if path == PREFIX + "about" and self.command == "GET":
            return 200, {"version": ["1.0.3", "2.0.0"]}
        version = self.headers.get("X-Experience-API-Version", "")
        if not version.startswith(("1.0", "2.0")):
            return 400, "the X-Experience-API-Version header must be 1.0.x or 2.0.x"
        if path != PREFIX + "statements":
            return 404, f"no resource at {path}"
        if self.command == "GET":
            found = self.lrs.statements.get(query.get("statementId", "").lower())
            return (200, found) if found else (404, "no such statement")
        try:
            data = json.loads(body)
        except ValueError:
            return 400, "the body is not JSON"
        if self.command == "PUT":
            if "statementId" not in query:
                return 400, "statementId is required"
            return self.lrs._store(query["statementId"], data)
        ids = []
        for item in data if isinstance(data, list) else [data]:
            given = item.get("id") if isinstance(item, dict) else None
            statement_id = str(given) if given is not None else str(uuid.uuid4())
            status, reason = self.lrs._store(statement_id, item)
            if status != 204:
                return status, reason
            ids.append(statement_id)
        return 200, ids

    def _send(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        data = text.encode("utf-8")
        # Record the status before any byte leaves, so a client that has its answer always
        # finds it in FakeLrs.requests.
        self.lrs._answered(self._index, status)
        self.send_response(status)
        self.send_header("X-Experience-API-Version", "1.0.3")
        self.send_header(
            "Content-Type", "text/plain" if isinstance(payload, str) else "application/json"
        )
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="fake-lrs"')
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _hang_up(self, *, reset: bool) -> None:
        self.close_connection = True
        if reset:
            # Linger 0 makes close() abort the connection with RST instead of a polite FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drop the last reference besides the socket itself
        self.connection.close()
