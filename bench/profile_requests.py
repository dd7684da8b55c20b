"""Where one request's time goes: pyinstrument profiles of a lesson page and a quiz submit.

    python -m bench.profile_requests [--label before|after] [--lessons 200] [--submits 100]

In-process, with Flask's test client on the app ``create_app`` makes from the benchmarks'
own configuration (no network, no gunicorn), so the profile holds only the app's work:

* ``lesson``: a signed-in pupil's ``GET /learn/smart-ks2/01-safe``, read once beforehand, so
  every profiled request takes the read-only path;
* ``quiz_submit``: a member of staff's ``POST /learn/safeguarding-refresher/quiz/<id>/submit``
  with every answer right, each on a fresh attempt made in bulk by ``bench.pools`` (as the
  ``quiz_submit`` scenario makes them): grading, the answers and their statements, the
  ``passed`` statement, the completion and its certificate.

Each scenario is warmed up, then N requests are profiled by one ``pyinstrument.Profiler``.
pyinstrument's text (``show_all=False``) and HTML go to ``bench/out/profiles/`` as
``<scenario>[-<label>].txt`` and ``.html``; the summary printed (and kept beside them as
``.summary.txt``) gives ms per request (the profiled loop's wall time / N, profiler
overhead included) and the share of time of the frames that matter. ``--label`` lets two
checkouts be compared: copy ``bench/`` over the older one and run it there with
``--label before``.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bench import databases, pools, scenarios
from bench.profiles import QUICK, SeedSpec
from bench.run import app_config
from bench.sessions import SessionMinter
from elearn import create_app
from elearn.db import utcnow

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_DIR = BENCH_DIR / "out"

# A small trust: a few thousand people and 50,000 statements, seeded in seconds.
PROFILE_SPEC = SeedSpec(
    academies=3,
    staff=600,
    pupils=2_400,
    parents=800,
    statements=50_000,
    pending=5_000,
    large_academy_staff=200,
    small_academy_staff=50,
    trust_staff=3,
)

LESSON_COURSE = "smart-ks2"
LESSON_ID = "01-safe"
SUBMIT_COURSE = "safeguarding-refresher"
FORM = "application/x-www-form-urlencoded"
TOP_FRAMES = 12
MIN_SHARE = 0.005  # categories below half a per cent are left out of the summary

Log = Callable[[str], None]


def log(message: str) -> None:
    print(message, flush=True)


# --- reading a profile --------------------------------------------------------------------------


def _package(frame: Any) -> str:
    """The top-level package a frame's code belongs to (``elearn``, ``sqlalchemy``, …)."""
    path = str(getattr(frame, "file_path", "") or "")
    if not path or path.startswith("<"):
        return "built-in" if path == "<built-in>" else path or "?"
    if path.endswith((".html", ".txt", ".xml")):
        return "template"  # Jinja compiles templates to code that names the template file
    parts = Path(path).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            after = parts[parts.index(marker) + 1 :]
            return after[0].removesuffix(".py") if after else "?"
    if "elearn" in parts:
        return "elearn"
    if "bench" in parts:
        return "bench"
    return _module(Path(path))  # the standard library, or a script: the module's name


def _module(path: Path) -> str:
    return path.parent.name if path.stem == "__init__" else path.stem


def frame_name(frame: Any) -> str:
    """``module.Class.function`` (or a template's path), short enough for a table."""
    function = str(getattr(frame, "function", "") or "?")
    owner = getattr(frame, "class_name", None)
    path = Path(str(getattr(frame, "file_path", "") or "?"))
    if _package(frame) == "template":
        where = path.parts[path.parts.index("templates") + 1 :] if "templates" in path.parts else ()
        return f"{'/'.join(where) or path.name} {function}"
    qualified = f"{owner}.{function}" if owner else function
    if str(path).startswith("<"):
        return qualified  # a C function: pyinstrument gives no module
    return f"{_module(path)}.{qualified}"


def _frame_key(frame: Any) -> tuple[str, str, int]:
    return (
        str(getattr(frame, "file_path", "") or ""),
        str(getattr(frame, "function", "") or ""),
        int(getattr(frame, "line_no", 0) or 0),
    )


@dataclass
class Node:
    """A frame of the merged call tree: one node per function per call path.

    pyinstrument's raw tree can hold the same call path several times (once per stretch of
    samples); the text renderer merges them, and so must anything that asks what a frame
    calls, or every frame with one sample would look like a wrapper.
    """

    function: str
    file_path: str
    class_name: str | None
    line_no: int
    is_synthetic: bool
    time: float = 0.0
    _children: dict[tuple[str, str, int, bool], Node] = field(default_factory=dict, repr=False)

    @property
    def children(self) -> list[Node]:
        return list(self._children.values())

    def add(self, frame: Any) -> None:
        """Merge ``frame`` (and everything under it) into this node's children."""
        key = (*_frame_key(frame), bool(getattr(frame, "is_synthetic", False)))
        node = self._children.get(key)
        if node is None:
            node = self._children[key] = _node(frame)
        node.time += frame.time
        for child in frame.children:
            node.add(child)


def _node(frame: Any) -> Node:
    return Node(
        function=str(getattr(frame, "function", "") or ""),
        file_path=str(getattr(frame, "file_path", "") or ""),
        class_name=getattr(frame, "class_name", None),
        line_no=int(getattr(frame, "line_no", 0) or 0),
        is_synthetic=bool(getattr(frame, "is_synthetic", False)),
    )


def merged_tree(frame: Any) -> Node:
    """pyinstrument's root frame as one merged tree (see ``Node``)."""
    root = _node(frame)
    root.time = frame.time
    for child in frame.children:
        root.add(child)
    return root


def _real_children(frame: Any) -> list[Any]:
    return [child for child in frame.children if not getattr(child, "is_synthetic", False)]


def _passes_through(frame: Any) -> bool:
    """A wrapper (a proxy, a decorator, a context manager's exit): nearly all of its time
    is in one callee, which is the frame worth naming."""
    children = _real_children(frame)
    return len(children) == 1 and children[0].time >= 0.95 * frame.time


def _find(root: Any, test: Callable[[Any], bool]) -> list[Any]:
    """The outermost frames under ``root`` for which ``test`` holds."""
    if getattr(root, "is_synthetic", False):
        return []
    if test(root):
        return [root]
    found = []
    for child in root.children:
        found.extend(_find(child, test))
    return found


def _is(function: str, path_part: str) -> Callable[[Any], bool]:
    def test(frame: Any) -> bool:
        return getattr(frame, "function", None) == function and path_part in str(
            getattr(frame, "file_path", "") or ""
        )

    return test


def _any(*tests: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda frame: any(test(frame) for test in tests)


def _path_has(*parts: str) -> Callable[[Any], bool]:
    return lambda frame: any(part in str(getattr(frame, "file_path", "") or "") for part in parts)


def _is_driver(frame: Any) -> bool:
    """sqlite3's C methods (pyinstrument shows them as built-ins), or psycopg's code."""
    path = str(getattr(frame, "file_path", "") or "")
    if path == "<built-in>":
        function = str(getattr(frame, "function", "") or "")  # e.g. "Cursor.execute"
        return function.startswith(("Cursor.", "Connection."))
    return "/psycopg/" in path


# What a request's time is spent on, whichever code path leads there. Each is the time of
# the outermost matching frames (self and children), as a share of the profiled loop.
CATEGORIES: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("Flask dispatch (hooks, view, response)", _is("full_dispatch_request", "flask")),
    ("before_request hooks (access check, login)", _is("preprocess_request", "flask")),
    ("login: user from the session row", _is("load_user", "elearn")),
    ("CSRF check", _any(_is("protect", "flask_wtf"), _is("csrf_protect", "flask_wtf"))),
    ("the view and its decorators", lambda f: False),  # filled from dispatch_request's children
    ("SQL: SQLAlchemy execute (compiling included)", _any(
        *(_is(name, "sqlalchemy/orm/session") for name in ("execute", "scalar", "scalars")),
        *(_is(name, "sqlalchemy/engine/base") for name in ("execute", "exec_driver_sql")),
        _is("_execute_context", "sqlalchemy/engine/base"))),
    ("database driver (execute, fetch, commit)", _is_driver),
    ("ORM flush (the writes)", _is("flush", "sqlalchemy/orm/session")),
    ("commit", _any(_is("commit", "sqlalchemy/orm/session"), _is("commit", "sqlalchemy/engine"))),
    ("ORM: rows into objects", _is("instances", "sqlalchemy/orm/loading")),
    ("Jinja: render_template", _is("render_template", "flask/templating")),
    ("lesson Markdown to HTML", _is("render_lesson", "elearn")),
    ("xAPI statement building", _any(_path_has("elearn/xapi/builders"),
                                     _is("build_event", "elearn/learning/events"))),
    ("xAPI statement storing", _is("record_statements", "elearn/xapi/lrs/store")),
    ("grading and answer validation", _path_has("elearn/quiz/grading")),
    ("session cookie (open/save)",
     _any(_is("open_session", "flask"), _is("save_session", "flask"))),
)  # fmt: skip


@dataclass(frozen=True)
class Share:
    label: str
    seconds: float
    share: float


def categories(root: Any, total: float) -> list[Share]:
    """The time of each of ``CATEGORIES`` in this profile, largest first (empty ones left out)."""
    found = []
    for label, test in CATEGORIES:
        if label.startswith("the view"):
            frames = [
                child
                for dispatch in _find(root, _is("dispatch_request", "flask/app"))
                for child in dispatch.children
                if not getattr(child, "is_synthetic", False)
            ]
        else:
            frames = _find(root, test)
        seconds = sum(frame.time for frame in frames)
        if total and seconds / total >= MIN_SHARE:
            found.append(Share(label, seconds, seconds / total if total else 0.0))
    dispatch = next((s for s in found if s.label.startswith("Flask dispatch")), None)
    if dispatch is not None and total > dispatch.seconds:
        rest = total - dispatch.seconds
        found.append(Share("outside dispatch (test client, WSGI, teardown)", rest, rest / total))
    return sorted(found, key=lambda s: s.seconds, reverse=True)


def top_frames(root: Any, total: float, limit: int = TOP_FRAMES) -> list[Share]:
    """The busiest frames under Flask's dispatch, self and children.

    Only frames where the code changes hands are listed: every elearn function and template,
    and the first frame of a library entered from another package (``Session.execute``
    called by elearn, not the forty SQLAlchemy frames under it). Wrappers that pass nearly
    all their time to one callee are left out for that callee. A function's time is counted
    at its outermost call in each stack.
    """
    dispatches = _find(root, _is("full_dispatch_request", "flask"))
    times: dict[str, float] = {}

    def visit(frame: Any, parent_package: str, seen: frozenset[tuple[str, str, int]]) -> None:
        if getattr(frame, "is_synthetic", False):
            return
        package = _package(frame)
        key = _frame_key(frame)
        boundary = package in ("elearn", "template") or package != parent_package
        if key not in seen and boundary and not _passes_through(frame):
            name = f"{package}: {frame_name(frame)}"
            times[name] = times.get(name, 0.0) + frame.time
        inner = seen | {key}
        for child in frame.children:
            visit(child, package, inner)

    for dispatch in dispatches:
        for child in dispatch.children:
            visit(child, "flask", frozenset({_frame_key(dispatch)}))
    ranked = sorted(times.items(), key=lambda item: item[1], reverse=True)[:limit]
    return [Share(name, seconds, seconds / total if total else 0.0) for name, seconds in ranked]


# --- the scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass
class Profiled:
    """One scenario's profile and its summary."""

    scenario: str
    title: str
    count: int
    seconds: float
    statuses: dict[int, int]
    expected: int
    categories: list[Share]
    top: list[Share]
    files: list[Path]

    @property
    def ms_per_request(self) -> float:
        return self.seconds / self.count * 1000 if self.count else 0.0

    @property
    def unexpected(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != self.expected)


def _send(client: FlaskClient, request: Request) -> int:
    if request.method == "GET":
        return client.get(request.path, headers=request.headers).status_code
    return client.post(request.path, data=request.body, headers=request.headers).status_code


def lesson_requests(app: Flask, minter: SessionMinter, count: int) -> list[Request]:
    """``count`` GETs of the first SMART lesson by one signed-in KS2 pupil of academy 1."""
    engine = app.extensions["elearn.engine"]
    pupil = scenarios.pupil_ids(engine, academy_id=1, course_years=(3, 4, 5, 6), limit=1)
    if not pupil:
        raise RuntimeError("academy 1 has no KS2 pupils to sign in")
    session = minter.sign_in(engine, pupil)[0]
    request = Request("GET", f"/learn/{LESSON_COURSE}/{LESSON_ID}", {"Cookie": session.cookie})
    return [request] * count


def submit_requests(app: Flask, minter: SessionMinter, count: int) -> tuple[list[Request], int]:
    """``count`` refresher submits, each on its own fresh attempt; and the answers in each."""
    engine = app.extensions["elearn.engine"]
    catalog = app.extensions["elearn.catalog"].get()
    plan = pools.plan_quiz(catalog.course(SUBMIT_COURSE))
    staff = scenarios.staff_ids(engine, limit=5_000)
    if not staff:
        raise RuntimeError("the seeded trust has no staff who do the refresher")
    now = utcnow()
    people = minter.sign_in(engine, staff[: min(count, len(staff))], now=now)
    made = pools.PoolMaker(engine, minter).attempts(plan, people, count, answered=0, now=now)
    requests = []
    for line in pools.submit_lines(plan, made):
        cookie, path, body = line.split("\t")
        requests.append(Request("POST", path, {"Cookie": cookie, "Content-Type": FORM}, body))
    return requests, len(plan.forms)


def profile(
    app: Flask,
    scenario: str,
    title: str,
    requests: list[Request],
    *,
    warm: int,
    expected: int,
    out_dir: Path,
    label: str | None,
    interval: float,
) -> Profiled:
    """Send the first ``warm`` requests unprofiled, then profile the rest in one loop."""
    from pyinstrument import Profiler

    client = app.test_client(use_cookies=False)
    for request in requests[:warm]:
        _send(client, request)
    measured = requests[warm:]
    statuses: dict[int, int] = {}
    profiler = Profiler(interval=interval)
    began = time.perf_counter()
    profiler.start()
    for request in measured:
        status = _send(client, request)
        statuses[status] = statuses.get(status, 0) + 1
    profiler.stop()
    seconds = time.perf_counter() - began
    stem = scenario if label is None else f"{scenario}-{label}"
    out_dir.mkdir(parents=True, exist_ok=True)
    text_path = out_dir / f"{stem}.txt"
    html_path = out_dir / f"{stem}.html"
    text_path.write_text(
        profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
    )
    html_path.write_text(profiler.output_html(), encoding="utf-8")
    session = profiler.last_session
    frame = session.root_frame() if session is not None else None
    root = merged_tree(frame) if frame is not None else None
    total = root.time if root is not None else 0.0
    done = Profiled(
        scenario=scenario,
        title=title,
        count=len(measured),
        seconds=seconds,
        statuses=statuses,
        expected=expected,
        categories=categories(root, total) if root is not None else [],
        top=top_frames(root, total) if root is not None else [],
        files=[text_path, html_path],
    )
    summary_path = out_dir / f"{stem}.summary.txt"
    summary_path.write_text(summary(done) + "\n", encoding="utf-8")
    done.files.append(summary_path)
    return done


def _table(title: str, shares: list[Share], per_request: float, count: int) -> list[str]:
    width = max([len(s.label) for s in shares] + [len(title)])
    lines = [f"  {title:<{width}}  share  ms/req"]
    for each in shares:
        ms = each.seconds / count * 1000 if count else 0.0
        lines.append(f"  {each.label:<{width}}  {each.share:>5.0%}  {ms:>6.1f}")
    return lines


def summary(done: Profiled) -> str:
    statuses = ", ".join(f"{n} × {status}" for status, n in sorted(done.statuses.items()))
    flag = "" if not done.unexpected else f"  ⚠ {done.unexpected} not {done.expected}"
    lines = [
        f"{done.scenario}: {done.title}",
        f"  {done.count} requests, {done.ms_per_request:.1f} ms per request "
        f"(profiled loop {done.seconds:.2f} s); statuses {statuses}{flag}",
        *_table("where the time goes", done.categories, done.ms_per_request, done.count),
        *_table("top frames under dispatch", done.top, done.ms_per_request, done.count),
    ]
    return "\n".join(lines)


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_requests", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=databases.DEFAULT_SERVER,
        help="a PostgreSQL server URL; a database is created there and dropped",
    )
    parser.add_argument("--label", help="added to the file names, e.g. before or after")
    parser.add_argument("--lessons", type=int, default=200, help="lesson pages profiled")
    parser.add_argument("--submits", type=int, default=100, help="quiz submits profiled")
    parser.add_argument("--warm", type=int, default=20, help="unprofiled requests first, each")
    parser.add_argument("--interval", type=float, default=0.001, help="sampling interval, s")
    parser.add_argument("--statements", type=int, help="statements in the seeded trust")
    parser.add_argument("--quick", action="store_true", help="the tiny trust of bench.run --quick")
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT_DIR), help="databases and profiles")
    args = parser.parse_args(argv)
    if args.lessons < 1 or args.submits < 1 or args.warm < 0:
        parser.error("--lessons and --submits must be at least 1")
    if args.label is not None and not args.label.replace("-", "").replace("_", "").isalnum():
        parser.error("--label takes letters, digits, - and _ only (it is part of file names)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        print("pyinstrument is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    name, spec = ("profile-quick", QUICK) if args.quick else ("profile", PROFILE_SPEC)
    if args.statements is not None:
        spec = replace(spec, statements=args.statements, pending=min(spec.pending, args.statements))
    out_dir = Path(args.out_dir)
    profiles_dir = out_dir / "profiles"
    log(f"{args.db}: preparing the {name} trust ({spec.statements:,} statements)")
    results: list[Profiled] = []
    with databases.database(
        args.db, out_dir=out_dir, server=args.pg_url, name=name, spec=spec, log=log
    ) as prepared:
        app = create_app(app_config(prepared.url, spec.base_url, secrets.token_hex(32)))
        try:
            minter = SessionMinter(app)
            lessons = lesson_requests(app, minter, args.warm + args.lessons)
            first = app.test_client(use_cookies=False)
            status = _send(first, lessons[0])  # the first reading: recorded, then read-only
            if status != 200:
                raise RuntimeError(f"the lesson page answered {status} to a signed-in pupil")
            log(f"  profiling {args.lessons} lesson pages")
            results.append(
                profile(
                    app,
                    "lesson",
                    f"GET /learn/{LESSON_COURSE}/{LESSON_ID} (pupil, already read)",
                    lessons,
                    warm=args.warm,
                    expected=200,
                    out_dir=profiles_dir,
                    label=args.label,
                    interval=args.interval,
                )
            )
            log(f"  making {args.warm + args.submits} refresher attempts")
            submits, answers = submit_requests(app, minter, args.warm + args.submits)
            log(f"  profiling {args.submits} quiz submits")
            results.append(
                profile(
                    app,
                    "quiz_submit",
                    f"POST /learn/{SUBMIT_COURSE}/quiz/<id>/submit ({answers} answers, staff)",
                    submits,
                    warm=args.warm,
                    expected=302,
                    out_dir=profiles_dir,
                    label=args.label,
                    interval=args.interval,
                )
            )
        finally:
            app.extensions["elearn.engine"].dispose()
    for done in results:
        log("")
        log(summary(done))
        log("  " + ", ".join(str(path) for path in done.files))
    return 0 if all(done.unexpected == 0 for done in results) else 1


if __name__ == "__main__":
    sys.exit(main())
