"""A minimal external LRS for the forwarder benchmark, run as its own process on loopback.

    python -m bench.fake_lrs --port 8123

It accepts ``PUT /xapi/statements?statementId=…`` with 204 and remembers only the ids, so
the benchmark measures the forwarder rather than the receiver. ``GET /count`` answers with
how many PUTs arrived and how many distinct statements they carried (they must be equal:
every statement exactly once).
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_lock = threading.Lock()
_ids: set[str] = set()
_puts = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_PUT(self) -> None:
        global _puts
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        statement_id = parse_qs(urlsplit(self.path).query).get("statementId", [""])[0]
        with _lock:
            _puts += 1
            _ids.add(statement_id)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.send_header("X-Experience-API-Version", "1.0.3")
        self.end_headers()

    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/count":
            self.send_error(404)
            return
        with _lock:
            body = json.dumps({"puts": _puts, "distinct": len(_ids)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description="a minimal loopback LRS for benchmarks")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
