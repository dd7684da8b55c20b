"""Sign-in cards and the class page for one large year group, timed in-process.

Not part of the load suite (``bench.run``): it seeds an academy with a 200-pupil year group
in a fresh SQLite file, then times through Flask's test client

* the class list page for the 200 pupils (GET ``/admin/class``),
* the cards page that lists them with their tick boxes (GET ``/admin/class/cards``),
* one request making the most cards allowed at once (POST ``/admin/class/cards``), which is
  dominated by Argon2 hashing.

Run: ``python -m bench.cards`` (``--pupils``, ``--repeat``). Figures are medians in ms.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from elearn import create_app
from elearn.admin.cards import MAX_CARDS_PER_REQUEST
from elearn.auth.models import Academy, User
from elearn.auth.passwords import hash_password
from elearn.auth.roles import Role, StaffKind
from elearn.db import Base

_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
YEAR = 4


def _seed(app, pupils: int) -> tuple[int, list[int]]:
    factory = app.extensions["elearn.writer_sessionmaker"]
    with factory() as session:
        academy = Academy(name="Bench Primary", code="bench")
        session.add(academy)
        session.add(
            User(
                role=Role.STAFF,
                academy=academy,
                username="bench.teacher",
                display_name="Bench Teacher",
                staff_kind=StaffKind.TEACHER,
                start_on=date(2020, 9, 1),
                password_hash=hash_password("bench-password-1"),
            )
        )
        session.add_all(
            User(
                role=Role.PUPIL,
                academy=academy,
                username=f"pupil.{n:03d}",
                display_name=f"Pupil {n:03d}",
                year_group=YEAR,
            )
            for n in range(pupils)
        )
        session.commit()
        ids = list(session.scalars(select(User.id).where(User.role == Role.PUPIL)))
        return academy.id, ids


def _time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'cards.sqlite'}"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
                "DATABASE_URL": url,
                "BASE_URL": "http://elearn.bench",
                "DATA_DIR": folder,
            }
        )
        Base.metadata.create_all(app.extensions["elearn.engine"])
        academy_id, pupil_ids = _seed(app, args.pupils)
        client = app.test_client()
        token = _CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post(
            "/login",
            data={"username": "bench.teacher", "password": "bench-password-1", "csrf_token": token},
        )
        token = _CSRF.search(client.get("/admin/class").get_data(as_text=True)).group(1)

        def class_page() -> None:
            assert client.get(f"/admin/class?year={YEAR}").status_code == 200

        def cards_page() -> None:
            assert client.get(f"/admin/class/cards?year={YEAR}").status_code == 200

        batches = iter(
            [
                pupil_ids[i : i + MAX_CARDS_PER_REQUEST]
                for i in range(0, len(pupil_ids), MAX_CARDS_PER_REQUEST)
            ]
            * args.repeat
        )

        def make_cards() -> None:
            form = {
                "academy": str(academy_id),
                "year": str(YEAR),
                "pupil": [str(i) for i in next(batches)],
                "csrf_token": token,
            }
            assert client.post("/admin/class/cards", data=form).status_code == 200

        print(f"class list, {args.pupils} pupils:  {_time(class_page, args.repeat):8.1f} ms")
        print(f"cards page, {args.pupils} pupils:  {_time(cards_page, args.repeat):8.1f} ms")
        print(
            f"{MAX_CARDS_PER_REQUEST} cards in one request: "
            f"{_time(make_cards, args.repeat):8.1f} ms"
        )
        app.extensions["elearn.engine"].dispose()


if __name__ == "__main__":
    main()
