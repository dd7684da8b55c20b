"""The write load test: concurrent 500-statement batches and quiz answers, 0 errors allowed.

    python -m bench.writeload [--db sqlite|postgresql] [--duration 60] [--output FILE]

Once, on SQLite, concurrent 500-statement batch POSTs were answered 500 "database is
locked" and the write-ahead log grew to 1.1 GB. This runner repeats that load against elearn
served by gunicorn (the benchmarks' own configuration, 4 sync workers): writer threads POST
batches of statements to ``/xapi/statements`` with an LRS credential while other threads
give pupils' last quiz answers, and a sampler records the size of the log every 100 ms.

A 503 with Retry-After is the app's designed answer to a write that could not get the
database in time: the writer waits as told and sends the same batch again, and the 503s are
counted on their own. Anything else that is not the expected status, a socket error or a
timeout is an error. At the end the statements stored are counted in the database: they
must have grown by exactly the batches answered 2xx times the batch size. The exit code is
0 only if there were no errors.

On PostgreSQL the "WAL" figures are the bytes of write-ahead log the whole cluster wrote
during the load (``pg_current_wal_lsn()`` before and after) and the size of ``pg_wal`` on
disk (``pg_ls_waldir()``): neither is the same thing as SQLite's ``-wal`` file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bench import databases, pools, scenarios, servers
from bench.profiles import QUICK, SeedSpec
from bench.run import RUNNER_SETTINGS, app_config
from bench.sessions import LrsKey, SessionMinter, issue_lrs_key
from elearn import create_app
from elearn.catalog.model import Catalog
from elearn.db import utcnow

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_DIR = BENCH_DIR / "out"

# A medium trust: big enough that the statement table and its indexes are not trivially
# cached, small enough to seed in well under a minute (and then reused on SQLite).
WRITELOAD_SPEC = SeedSpec(
    academies=5,
    staff=1_000,
    pupils=5_000,
    parents=2_000,
    statements=100_000,
    pending=10_000,
    large_academy_staff=300,
    small_academy_staff=50,
    trust_staff=5,
)

STATEMENTS_PATH = "/xapi/statements"
FORM = "application/x-www-form-urlencoded"
SAMPLE_SECONDS = 0.1
# How long a batch already begun may keep being retried after the run's end.
RETRY_GRACE_SECONDS = 120.0
# What a quiz pool is sized for: the answers one thread could give per second at most.
QUIZ_RATE_PER_THREAD = 25.0

Log = Callable[[str], None]


def log(message: str) -> None:
    print(message, flush=True)


# --- what is sent -------------------------------------------------------------------------------


def run_tag() -> str:
    """Eight hex digits that begin every registration this run sends.

    The statements stored by this run's batches are then counted exactly, apart from the
    ones the quiz answers (and the seed) store at the same time.
    """
    return secrets.token_hex(4)


def tagged_uuid(tag: str, rng: random.Random) -> str:
    """A version 4 UUID whose first group is ``tag``."""
    bits = f"{rng.getrandbits(96):024x}"
    return f"{tag}-{bits[:4]}-4{bits[4:7]}-8{bits[7:10]}-{bits[10:22]}"


def batch_statements(
    catalog: Catalog,
    base_url: str,
    xapi_ids: list[str],
    *,
    batch: int,
    tag: str,
    now: datetime,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """``batch`` lesson statements without ids, built as ``scenarios.post_lines`` builds them,
    each with a registration that begins with the run's tag."""
    course = catalog.course("smart-ks2") or catalog.courses[0]
    made = []
    for _ in range(batch):
        made.append(
            scenarios.lesson_statement(course, rng, base_url, xapi_ids, now, tagged_uuid(tag, rng))
        )
    return made


class Bodies:
    """The batch bodies the writers send, ready as bytes.

    Without ids a few bodies are serialised once and sent in turn (every POST still stores
    new statements, as in the wrk scenarios). With ``fresh_ids`` every batch gets new
    statement ids, so the store's conflict check on ids runs too; it costs the client a JSON
    encoding per batch.
    """

    def __init__(self, statements: list[list[dict[str, Any]]], *, fresh_ids: bool) -> None:
        self._statements = statements
        self._fresh_ids = fresh_ids
        self._encoded = [_encode(each) for each in statements]
        self._turn = 0
        self._lock = threading.Lock()

    def next(self, rng: random.Random) -> bytes:
        with self._lock:
            index = self._turn % len(self._statements)
            self._turn += 1
        if not self._fresh_ids:
            return self._encoded[index]
        fresh = [
            {**each, "id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
            for each in self._statements[index]
        ]
        return _encode(fresh)


def _encode(statements: list[dict[str, Any]]) -> bytes:
    return json.dumps(statements, separators=(",", ":")).encode()


class QuizPool:
    """Prepared last answers, each used once, shared by the quiz threads."""

    def __init__(self, lines: list[str]) -> None:
        self._lines: Iterator[str] = iter(lines)
        self._lock = threading.Lock()
        self.size = len(lines)
        self.ran_out_at: float | None = None

    def take(self, elapsed: float) -> tuple[str, str, bytes] | None:
        with self._lock:
            line = next(self._lines, None)
            if line is None:
                if self.ran_out_at is None:
                    self.ran_out_at = elapsed
                return None
        cookie, path, body = line.split("\t")
        return cookie, path, body.encode()


# --- what is measured ---------------------------------------------------------------------------


@dataclass
class Tally:
    """Everything the threads count, behind one lock."""

    batch: int
    batches_sent: int = 0
    batches_stored: int = 0
    posts: int = 0
    retried_503: int = 0
    quiz_sent: int = 0
    quiz_ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def took(self, kind: str, seconds: float) -> None:
        with self._lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def error(self, kind: str, detail: str) -> None:
        with self._lock:
            self.errors[kind] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{kind}: {detail}"[:300])

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


LATENCY_KINDS = {
    "post": "POST /xapi/statements (each request, 503s included)",
    "batch": "batch, first send until stored (Retry-After waits included)",
    "quiz": "quiz last answer (POST …/answer/N)",
}


def _error_kind(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    return type(error).__name__


@dataclass
class Load:
    """The threads of one run: writers, quiz answerers, and their shared deadline."""

    host: str
    port: int
    authorization: str
    bodies: Bodies
    quiz: QuizPool
    tally: Tally
    duration: float
    timeout: float
    started: float = 0.0

    @property
    def deadline(self) -> float:
        return self.started + self.duration

    def _connection(self) -> http.client.HTTPConnection:
        # HTTP/1.1 keep-alive; gunicorn's sync workers close after each response, and
        # http.client then opens the next connection by itself.
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def writer(self, index: int) -> None:
        rng = random.Random(index)
        conn = self._connection()
        try:
            while time.monotonic() < self.deadline:
                self._send_batch(conn, self.bodies.next(rng))
        finally:
            conn.close()

    def _send_batch(self, conn: http.client.HTTPConnection, body: bytes) -> None:
        """Send one batch until it is stored: a 503 is waited out and the batch sent again."""
        tally = self.tally
        headers = {
            "Authorization": self.authorization,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        }
        tally.add(batches_sent=1)
        first = time.perf_counter()
        while True:
            began = time.perf_counter()
            try:
                conn.request("POST", STATEMENTS_PATH, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                tally.error(f"batch {_error_kind(error)}", str(error))
                return
            tally.took("post", time.perf_counter() - began)
            tally.add(posts=1)
            status = response.status
            if status == 503:
                tally.add(retried_503=1)
                if time.monotonic() > self.deadline + RETRY_GRACE_SECONDS:
                    tally.error("batch still 503 after the grace period", payload[:200].decode())
                    return
                time.sleep(_retry_after(response.getheader("Retry-After")))
                continue
            if 200 <= status < 300:
                stored = _id_count(payload)
                if stored != tally.batch:
                    tally.error("batch answered with the wrong number of ids", f"{stored}")
                    return
                tally.add(batches_stored=1)
                tally.took("batch", time.perf_counter() - first)
                return
            tally.error(f"batch HTTP {status}", _detail(STATEMENTS_PATH, response, payload))
            return

    def answerer(self, _index: int) -> None:
        tally = self.tally
        conn = self._connection()
        try:
            while time.monotonic() < self.deadline:
                taken = self.quiz.take(time.monotonic() - self.started)
                if taken is None:
                    return
                cookie, path, body = taken
                tally.add(quiz_sent=1)
                began = time.perf_counter()
                try:
                    conn.request(
                        "POST", path, body=body, headers={"Cookie": cookie, "Content-Type": FORM}
                    )
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    tally.error(f"quiz {_error_kind(error)}", str(error))
                    continue
                tally.took("quiz", time.perf_counter() - began)
                if response.status == 302:
                    tally.add(quiz_ok=1)
                else:
                    tally.error(f"quiz HTTP {response.status}", _detail(path, response, payload))
        finally:
            conn.close()


def _detail(path: str, response: http.client.HTTPResponse, payload: bytes) -> str:
    """One line about an unexpected answer: JSON messages in full, HTML pages by name only."""
    retry = response.getheader("Retry-After")
    said = f"{path}: HTTP {response.status}" + (f", Retry-After {retry}" if retry else "")
    if "html" in (response.getheader("Content-Type") or ""):
        return said + " (an HTML error page)"
    return said + ": " + " ".join(payload[:200].decode(errors="replace").split())


def _retry_after(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else 2.0
    except ValueError:
        return 2.0


def _id_count(payload: bytes) -> int:
    try:
        ids = json.loads(payload)
    except ValueError:
        return -1
    return len(ids) if isinstance(ids, list) else -1


# --- the write-ahead log ------------------------------------------------------------------------


class WalSampler:
    """Reads the log's size every 100 ms on a thread of its own; keeps the peak and the last."""

    def __init__(self, probe: Callable[[], int]) -> None:
        self._probe = probe
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-sampler", daemon=True)
        self.samples: list[tuple[float, int]] = []
        self.failures = 0
        self._began = 0.0

    def _read(self) -> None:
        try:
            size = self._probe()
        except Exception:
            self.failures += 1
            return
        self.samples.append((time.monotonic() - self._began, size))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._read()

    def start(self) -> None:
        self._began = time.monotonic()
        self._read()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    @property
    def first(self) -> int:
        return self.samples[0][1] if self.samples else 0

    @property
    def peak(self) -> tuple[float, int]:
        return max(self.samples, key=lambda s: s[1]) if self.samples else (0.0, 0)

    @property
    def last(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def timeline(self, points: int = 10) -> list[tuple[float, int]]:
        """The largest size seen in each of ``points`` equal slices of the run."""
        if not self.samples:
            return []
        end = self.samples[-1][0] or 1.0
        slices: dict[int, tuple[float, int]] = {}
        for at, size in self.samples:
            index = min(points - 1, int(at / end * points))
            if index not in slices or size > slices[index][1]:
                slices[index] = (at, size)
        return [slices[i] for i in sorted(slices)]


def sqlite_wal_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise ValueError(f"{url} is not an SQLite file")
    return Path(f"{database}-wal")


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def checkpoint_sqlite(engine: Engine) -> None:
    """Fold the log back into the database, so the run starts from an empty log."""
    raw = engine.raw_connection()  # outside any transaction, which would hold the log back
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


class PostgresWal:
    """The cluster's WAL: bytes written since the start (LSN difference), and pg_wal on disk."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
        self.start_lsn = self._scalar("SELECT pg_current_wal_lsn()::text")

    def _scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def on_disk(self) -> int:
        return int(self._scalar("SELECT COALESCE(SUM(size), 0) FROM pg_ls_waldir()"))

    def written(self) -> int:
        return int(
            self._scalar(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(:start AS pg_lsn))",
                start=self.start_lsn,
            )
        )

    def dispose(self) -> None:
        self.engine.dispose()


# --- counting what was stored -------------------------------------------------------------------


def count_statements(engine: Engine, tag: str) -> tuple[int, int]:
    """All stored statements, and those carrying this run's tag in their registration."""
    with engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM xapi_statements")).scalar_one()
        tagged = conn.execute(
            text("SELECT COUNT(*) FROM xapi_statements WHERE registration LIKE :prefix"),
            {"prefix": f"{tag}-%"},
        ).scalar_one()
    return int(total), int(tagged)


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run found, for the report."""

    kind: str
    spec: SeedSpec
    seed_reused: bool
    args: argparse.Namespace
    tally: Tally
    seconds: float
    quiz_pool: int
    quiz_ran_out_at: float | None
    stored_before: tuple[int, int]
    stored_after: tuple[int, int]
    wal: WalSampler
    wal_after_stop: int | None
    wal_written: int | None
    load: list[str]
    log_lines: list[str]
    busy_logged: int

    @property
    def expected_tagged(self) -> int:
        return self.tally.batches_stored * self.tally.batch

    @property
    def tagged_growth(self) -> int:
        return self.stored_after[1] - self.stored_before[1]

    @property
    def count_ok(self) -> bool:
        return self.tagged_growth == self.expected_tagged

    @property
    def errors(self) -> Counter[str]:
        found = Counter(self.tally.errors)
        if not self.count_ok:
            found["statements lost or doubled"] += 1
        return found

    @property
    def passed(self) -> bool:
        return not self.errors


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _spec(args: argparse.Namespace) -> tuple[str, SeedSpec]:
    if args.quick:
        return "writeload-quick", QUICK
    spec = WRITELOAD_SPEC
    if args.statements is not None:
        spec = replace(spec, statements=args.statements, pending=min(spec.pending, args.statements))
    return "writeload", spec


def _quiz_pool(
    app: Flask, minter: SessionMinter, size: int, warm: int
) -> tuple[list[str], list[str]]:
    """Pupils' last answers (4 of 5 answered, the 5th passes and completes), as loadtest.py
    makes them for ``quiz_answer``; the first ``warm`` are for the warm-up."""
    engine = app.extensions["elearn.engine"]
    catalog = app.extensions["elearn.catalog"].get()
    plan = pools.plan_quiz(catalog.course("smart-ks2"))
    maker = pools.PoolMaker(engine, minter)
    now = utcnow()
    total = size + warm
    pupils = maker.new_pupils(min(total, 2_000), year_group=5, now=now)
    people = minter.sign_in(engine, pupils, now=now)
    made = maker.attempts(plan, people, total, answered=len(plan.forms) - 1, now=now)
    lines = pools.last_answer_lines(plan, made)
    return lines[:warm], lines[warm:]


def _warm_up(load: Load, warm_lines: list[str], key: LrsKey, catalog: Catalog, base: str) -> None:
    """Every worker loads the catalogue and compiles its templates before the clock starts.

    Small unmarked batches and a few quiz answers, sent concurrently; what they store is
    counted before the run begins.
    """
    rng = random.Random(1)
    small = _encode(
        batch_statements(catalog, base, ["warm-up"], batch=5, tag="00000000", now=utcnow(), rng=rng)
    )
    headers = {
        "Authorization": key.authorization,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }

    def post(line: str | None) -> None:
        conn = http.client.HTTPConnection(load.host, load.port, timeout=load.timeout)
        try:
            if line is None:
                conn.request("POST", STATEMENTS_PATH, body=small, headers=headers)
            else:
                cookie, path, body = line.split("\t")
                conn.request(
                    "POST",
                    path,
                    body=body.encode(),
                    headers={"Cookie": cookie, "Content-Type": FORM},
                )
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()

    jobs: list[str | None] = [None] * 12 + list(warm_lines)
    threads = [threading.Thread(target=post, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _gunicorn_log(path: Path) -> tuple[list[str], int]:
    """The server log's notable lines (tracebacks, errors) and how many 503s it logged."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return [], 0
    busy = sum(1 for line in lines if "answered 503" in line)
    notable = [
        line
        for line in lines
        if any(word in line for word in ("Traceback", "Error", "error", "locked", "TIMEOUT"))
        and "answered 503" not in line
    ]
    return notable[-30:], busy


def run(args: argparse.Namespace) -> Outcome:
    """Seed (or reuse) the trust, serve it, run the load, count what was stored."""
    name, spec = _spec(args)
    out_dir = Path(args.out_dir)
    work_dir = out_dir / f"writeload-{args.db}"
    work_dir.mkdir(parents=True, exist_ok=True)
    load_avg = [f"{_load_average()} at the start"]
    log(f"{args.db}: preparing the {name} trust ({spec.statements:,} statements)")
    with databases.database(
        args.db, out_dir=out_dir, server=args.pg_url, name=name, spec=spec, log=log
    ) as prepared:
        secret = secrets.token_hex(32)
        config = app_config(prepared.url, spec.base_url, secret)
        app = create_app({**config, **RUNNER_SETTINGS})
        engine: Engine = app.extensions["elearn.engine"]
        pg_wal: PostgresWal | None = None
        try:
            key = issue_lrs_key(engine)
            minter = SessionMinter(app)
            catalog = app.extensions["elearn.catalog"].get()
            base = str(app.config["ELEARN"]["BASE_URL"]).rstrip("/")
            tag = run_tag()
            actors = scenarios.actor_ids(engine, 500, random.Random(5)) or ["nobody"]
            rng = random.Random(tag)
            variants = 1 if args.fresh_ids else 8
            bodies = Bodies(
                [
                    batch_statements(
                        catalog, base, actors, batch=args.batch, tag=tag, now=utcnow(), rng=rng
                    )
                    for _ in range(variants)
                ],
                fresh_ids=args.fresh_ids,
            )
            pool_size = args.quiz_pool or (
                math.ceil(args.quiz_threads * args.duration * QUIZ_RATE_PER_THREAD) + 20
            )
            log(f"  making {pool_size:,} quiz attempts for the answerers")
            warm_lines, quiz_lines = _quiz_pool(app, minter, pool_size, warm=8)
            served = servers.gunicorn(
                "elearn",
                "elearn:create_app()",
                env={f"ELEARN_{k}": v for k, v in config.items()},
                log_path=work_dir / "elearn.log",
                ready_path="/healthz",
            )
            tally = Tally(batch=args.batch)
            wal_after_stop = None
            with served:
                load = Load(
                    host=servers.LOOPBACK,
                    port=int(served.port or 0),
                    authorization=key.authorization,
                    bodies=bodies,
                    quiz=QuizPool(quiz_lines),
                    tally=tally,
                    duration=args.duration,
                    timeout=args.timeout,
                )
                log("  warming up")
                _warm_up(load, warm_lines, key, catalog, base)
                if served.ready_url:
                    servers.wait_idle(served.ready_url, served.pid)
                if engine.dialect.name == "sqlite":
                    checkpoint_sqlite(engine)
                    wal_path = sqlite_wal_path(prepared.url)
                    sampler = WalSampler(lambda: file_size(wal_path))
                else:
                    pg_wal = PostgresWal(prepared.url)
                    sampler = WalSampler(pg_wal.on_disk)
                before = count_statements(engine, tag)
                log(
                    f"  {args.writers} writers × {args.batch}-statement batches, "
                    f"{args.quiz_threads} quiz answerers, {args.duration:g} s"
                )
                threads = [
                    threading.Thread(target=load.writer, args=(n,), name=f"writer-{n}")
                    for n in range(args.writers)
                ] + [
                    threading.Thread(target=load.answerer, args=(n,), name=f"quiz-{n}")
                    for n in range(args.quiz_threads)
                ]
                sampler.start()
                load.started = time.monotonic()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                seconds = time.monotonic() - load.started
                sampler.stop()
                wal_written = pg_wal.written() if pg_wal is not None else None
                load_avg.append(f"{_load_average()} at the end")
                after = count_statements(engine, tag)
            engine.dispose()
            if engine.dialect.name == "sqlite":
                wal_after_stop = file_size(sqlite_wal_path(prepared.url))
            notable, busy_logged = _gunicorn_log(work_dir / "elearn.log")
        finally:
            engine.dispose()
            if pg_wal is not None:
                pg_wal.dispose()
        return Outcome(
            kind=args.db,
            spec=spec,
            seed_reused=prepared.reused,
            args=args,
            tally=tally,
            seconds=seconds,
            quiz_pool=len(quiz_lines),
            quiz_ran_out_at=load.quiz.ran_out_at,
            stored_before=before,
            stored_after=after,
            wal=sampler,
            wal_after_stop=wal_after_stop,
            wal_written=wal_written,
            load=load_avg,
            log_lines=notable,
            busy_logged=busy_logged,
        )


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` from 0 to 1) of ``values``; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB"


def _timeline(wal: WalSampler) -> str:
    return ", ".join(f"{at:.0f} s {size / 1_048_576:,.0f}" for at, size in wal.timeline()) + " MB"


def _wal_rows(outcome: Outcome) -> list[tuple[str, str]]:
    wal = outcome.wal
    at, peak = wal.peak
    if outcome.kind == "sqlite":
        rows = [
            ("WAL (`-wal` file) at the start", megabytes(wal.first)),
            ("WAL peak", f"{megabytes(peak)} (at {at:.1f} s; {len(wal.samples):,} samples)"),
            ("WAL at the end of the load", megabytes(wal.last)),
            ("WAL's largest in each tenth of the run", _timeline(wal)),
        ]
        if outcome.wal_after_stop is not None:
            rows.append(("WAL after the server stopped", megabytes(outcome.wal_after_stop)))
        return rows
    return [
        ("WAL written (cluster-wide, LSN difference)", megabytes(outcome.wal_written or 0)),
        ("`pg_wal` on disk, largest in each tenth of the run", _timeline(wal)),
        ("`pg_wal` on disk: start / peak / end",
         f"{megabytes(wal.first)} / {megabytes(peak)} (at {at:.1f} s) / {megabytes(wal.last)}"),
    ]  # fmt: skip


def summary_rows(outcome: Outcome) -> list[tuple[str, str]]:
    tally = outcome.tally
    stored = tally.batches_stored * tally.batch
    rate = stored / outcome.seconds if outcome.seconds else 0.0
    total_growth = outcome.stored_after[0] - outcome.stored_before[0]
    others = total_growth - outcome.tagged_growth
    check = (
        f"{outcome.tagged_growth:,} = {tally.batches_stored:,} × {tally.batch} ✓"
        if outcome.count_ok
        else f"{outcome.tagged_growth:,}, expected {outcome.expected_tagged:,} ✗"
    )
    ran_out = outcome.quiz_ran_out_at
    pool = f"{tally.quiz_sent:,} sent, {tally.quiz_ok:,} answered 302 "
    pool += f"(pool of {outcome.quiz_pool:,}" + (
        f", ran out at {ran_out:.1f} s)" if ran_out else ")"
    )
    errors = outcome.errors
    rows = [
        ("Duration", f"{outcome.seconds:.1f} s (no batch begun after {outcome.args.duration:g} s)"),
        ("Batches sent / stored", f"{tally.batches_sent:,} / {tally.batches_stored:,}"),
        ("Statements stored by the batches", f"{stored:,} ({rate:,.0f} statements/s)"),
        ("Quiz answers", pool),
        ("503 + Retry-After, batch sent again", f"{tally.retried_503:,} "
         f"(the server logged {outcome.busy_logged:,} busy answers, quiz answers included)"),
        ("Errors", "0" if not errors else
         f"{sum(errors.values()):,}: " + ", ".join(f"{k} × {v}" for k, v in errors.most_common())),
        ("Run's statements in `xapi_statements` grew by", check),
        ("All statements grew by", f"{total_growth:,} (the other {others:,} are the quiz "
         f"answers' own: {others / tally.quiz_ok if tally.quiz_ok else 0:.1f} per answer)"),
    ]  # fmt: skip
    return rows + _wal_rows(outcome)


def latency_rows(tally: Tally) -> list[tuple[str, int, float, float, float]]:
    rows = []
    for kind, label in LATENCY_KINDS.items():
        values = tally.latencies.get(kind, [])
        rows.append(
            (
                label,
                len(values),
                percentile(values, 0.50) * 1000,
                percentile(values, 0.95) * 1000,
                max(values, default=0.0) * 1000,
            )
        )
    return rows


def describe_run(outcome: Outcome) -> str:
    args, spec = outcome.args, outcome.spec
    return (
        f"{args.writers} writers × {args.batch}-statement batches"
        f"{' with fresh ids' if args.fresh_ids else ' without ids'}, {args.quiz_threads} quiz "
        f"answerers, {args.duration:g} s, gunicorn 4 sync workers; trust of "
        f"{spec.staff:,} staff, {spec.pupils:,} pupils, {spec.statements:,} statements "
        f"({'seed reused' if outcome.seed_reused else 'seeded for this run'}); "
        f"{os.cpu_count()} cores, load {'; '.join(outcome.load)}"
    )


def print_report(outcome: Outcome) -> None:
    log("")
    log(f"Write load on {outcome.kind}: {'PASS' if outcome.passed else 'FAIL'}")
    log(f"  {describe_run(outcome)}")
    for label, value in summary_rows(outcome):
        log(f"  {label}: {value}")
    width = max(len(label) for label in LATENCY_KINDS.values())
    log(f"  {'latency, ms':<{width}}  requests      p50      p95      max")
    for label, count, p50, p95, top in latency_rows(outcome.tally):
        log(f"  {label:<{width}}  {count:>8,} {p50:>8,.0f} {p95:>8,.0f} {top:>8,.0f}")
    if outcome.tally.error_samples:
        log("  first errors:")
        for sample in outcome.tally.error_samples:
            log(f"    {sample}")
    if not outcome.passed and outcome.log_lines:
        log("  server log (last notable lines):")
        for line in outcome.log_lines:
            log(f"    {line}")


def markdown(outcome: Outcome) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdict = "pass: 0 errors" if outcome.passed else "**fail**"
    lines = [
        f"## Write load on {outcome.kind} ({verdict})",
        "",
        f"{date}. {describe_run(outcome)}.",
        "",
        "| | |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in summary_rows(outcome)),
        "",
        "| latency | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {count:,} | {p50:,.0f} | {p95:,.0f} | {top:,.0f} |"
            for label, count, p50, p95, top in latency_rows(outcome.tally)
        ),
        "",
    ]
    if outcome.kind == "postgresql":
        lines += [
            "On PostgreSQL the WAL figures are the whole cluster's: the bytes of WAL written "
            "during the load, and `pg_wal` on disk. Neither is SQLite's `-wal` file.",
            "",
        ]
    if outcome.tally.error_samples:
        lines += ["First errors:", "", "```", *outcome.tally.error_samples, "```", ""]
    if not outcome.passed and outcome.log_lines:
        lines += ["Server log (last notable lines):", "", "```", *outcome.log_lines, "```", ""]
    return "\n".join(lines)


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.writeload", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=databases.DEFAULT_SERVER,
        help="a PostgreSQL server URL; a database is created there and dropped",
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--statements",
        type=int,
        help=f"statements in the seeded trust (default {WRITELOAD_SPEC.statements:,})",
    )
    parser.add_argument("--quick", action="store_true", help="the tiny trust of bench.run --quick")
    parser.add_argument("--writers", type=int, default=8, help="threads POSTing batches")
    parser.add_argument("--batch", type=int, default=500, help="statements per POST")
    parser.add_argument(
        "--quiz-threads", type=int, default=3, help="threads giving quiz answers (2–4)"
    )
    parser.add_argument(
        "--quiz-pool", type=int, help="prepared quiz attempts (default: sized from the duration)"
    )
    parser.add_argument(
        "--fresh-ids", action="store_true", help="give every statement of every batch a new id"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="socket timeout, seconds")
    parser.add_argument("--output", help="write the results here as a Markdown section")
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT_DIR), help="databases and logs")
    args = parser.parse_args(argv)
    if args.writers < 1 or args.batch < 1 or args.quiz_threads < 0 or args.duration <= 0:
        parser.error("--writers and --batch must be at least 1, --duration above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    outcome = run(args)
    print_report(outcome)
    if args.output:
        Path(args.output).write_text(markdown(outcome), encoding="utf-8")
        log(f"wrote {args.output}")
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
