import re

from sqlalchemy import func, select

from elearn import create_app
from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.demo import DEMO_PASSWORD, seed_demo


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_trust_has_the_promised_shape_and_reruns_safely(db):
    first = seed_demo(db, today=utcnow().date())
    db.commit()
    assert first.created
    assert _count(db, Academy) == 2
    assert _count(db, User, User.role == Role.ADMIN) == 1
    assert _count(db, User, User.role == Role.DSL) == 2
    assert _count(db, User, User.role == Role.HEAD) == 2
    assert _count(db, User, User.role == Role.STAFF) == 20
    assert _count(db, User, User.role == Role.PUPIL) == 60
    assert _count(db, User, User.role == Role.PARENT) == 20
    assert _count(db, ParentLink) >= 20
    years = set(db.scalars(select(User.year_group).where(User.role == Role.PUPIL)))
    assert len(years) == 2
    starts = set(db.scalars(select(User.start_on).where(User.role == Role.STAFF)))
    assert len(starts) > 10

    again = seed_demo(db, today=utcnow().date())
    db.commit()
    assert not again.created
    assert _count(db, User) == 1 + 2 + 2 + 20 + 60 + 20
    assert [login[1] for login in again.logins] == [login[1] for login in first.logins]


def test_demo_command_prints_logins_that_work(app_config, empty_database, monkeypatch):
    from elearn.cli import main

    url = empty_database.url.render_as_string(hide_password=False)
    monkeypatch.setenv("ELEARN_DATABASE_URL", url)
    app_config["DATABASE_URL"] = url
    runner = create_app(app_config).test_cli_runner()
    result = runner.invoke(main, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert f"password is: {DEMO_PASSWORD}" in result.output
    assert "pupil.riverside" in result.output and "dsl.northfield" in result.output
    pupil_lines = [line for line in result.output.splitlines() if "  Pupil: " in line]
    assert len(pupil_lines) == 2
    assert all(re.search(r", (Year \d+|Reception), ", line) for line in pupil_lines)
    staff_line = next(line for line in result.output.splitlines() if "staff.riverside" in line)
    assert "Year" not in staff_line

    app = create_app(app_config)
    from tests.conftest import CsrfClient

    app.test_client_class = CsrfClient
    client = app.test_client()
    response = client.login("pupil.riverside", DEMO_PASSWORD)
    assert response.status_code == 302
    assert "Hello," in client.get("/").get_data(as_text=True)
