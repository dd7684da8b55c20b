"""The simple one-file CSV, and the ``elearn users import`` command."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from elearn.auth.models import ParentLink, User
from elearn.auth.roles import Role, StaffKind
from elearn.roster.commands import users
from elearn.roster.services import import_files, plan_files

NOW = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)

GOOD = """Academy,Role,Name,Username,Email,Year,Start date,Parent of
riverside,pupil,Ruby Shah,ruby.shah,,5,,
Riverside Primary,pupil,Leo Shah,leo.shah,,Year 2,,
riverside,parent,Nadia Shah,nadia.shah,nadia@mail.example,,,ruby.shah; leo.shah
riverside,teacher,James Okafor,j.okafor,j.okafor@riverside.example,,01/09/2025,
riverside,volunteer,Sam Field,s.field,,,2025-10-01,
riverside,dsl,Hana Ito,h.ito,h.ito@riverside.example,,2019-09-02,
"""


def count(db, model=User) -> int:
    db.rollback()  # see what other sessions (the command's) have committed
    return db.scalar(select(func.count()).select_from(model))


def person(db, username: str) -> User:
    return db.scalar(select(User).where(User.username == username))


def test_simple_file_creates_people_links_and_staff_details(db, make):
    riverside = make.academy("Riverside Primary", code="riverside")
    plan = import_files(db, {"people.csv": GOOD.encode()}, actor_id=None, now=NOW, dry_run=False)
    db.commit()
    assert plan.format == "simple" and plan.summary()["created"] == 6

    assert person(db, "leo.shah").year_group == 2
    assert person(db, "leo.shah").academy_id == riverside.id  # matched by name
    okafor = person(db, "j.okafor")
    assert (okafor.staff_kind, okafor.start_on) == (StaffKind.TEACHER, date(2025, 9, 1))
    assert person(db, "s.field").staff_kind is StaffKind.VOLUNTEER
    assert person(db, "h.ito").role is Role.DSL
    nadia = person(db, "nadia.shah")
    linked = set(
        db.scalars(
            select(User.username)
            .join(ParentLink, ParentLink.pupil_id == User.id)
            .where(ParentLink.parent_id == nadia.id)
        )
    )
    assert linked == {"ruby.shah", "leo.shah"}


def test_simple_re_import_updates_by_username_and_never_duplicates(db, make):
    make.academy("Riverside Primary", code="riverside")
    import_files(db, {"people.csv": GOOD.encode()}, actor_id=None, now=NOW, dry_run=False)
    db.commit()
    changed = GOOD.replace(
        "riverside,pupil,Ruby Shah,ruby.shah,,5,,", "riverside,pupil,Ruby Shah,ruby.shah,,6,,"
    )
    plan = import_files(db, {"people.csv": changed.encode()}, actor_id=None, now=NOW, dry_run=False)
    db.commit()
    assert plan.summary()["created"] == 0
    assert [(u.values.username, u.changes) for u in plan.updates] == [
        ("ruby.shah", ("year_group",))
    ]
    assert count(db) == 6
    assert person(db, "ruby.shah").year_group == 6


def test_left_on_marks_a_leaver(db, make):
    make.academy("Riverside Primary", code="riverside")
    import_files(db, {"people.csv": GOOD.encode()}, actor_id=None, now=NOW, dry_run=False)
    db.commit()
    leaving = "academy,role,name,username,left on\nriverside,pupil,Ruby Shah,ruby.shah,20/07/2026\n"
    plan = import_files(
        db, {"leavers.csv": leaving.encode()}, actor_id=None, now=NOW, dry_run=False
    )
    db.commit()
    assert [p.values.username for p in plan.deactivations] == ["ruby.shah"]
    ruby = person(db, "ruby.shah")
    assert not ruby.active and ruby.left_on == date(2026, 7, 20)
    # A simple file is not the whole roster: nobody else was touched.
    assert person(db, "leo.shah").active


def test_bad_simple_rows_name_their_lines(db, make):
    make.academy("Riverside Primary", code="riverside")
    text = (
        "academy,role,name,username,email,year\n"  # line 1
        "riverside,pupil,Ok Pupil,ok.pupil,,4\n"  # line 2
        "nowhere,pupil,Lost Pupil,lost.pupil,,4\n"  # line 3
        "riverside,admin,Ann Admin,ann.admin,,\n"  # line 4
        "\n"  # line 5: blank lines are fine
        "riverside,pupil,No Year,no.year,,\n"  # line 6
        'riverside,parent,"Pat\nParent",pat.parent,,\n'  # lines 7-8: a quoted line break
        "riverside,pupil,Bad Year,bad.year,,Year 15\n"  # line 9
        "riverside,teacher,Tess Two,Tess Two,,\n"  # line 10
    )
    plan = plan_files(db, {"people.csv": text.encode()}, as_of=NOW.date())
    found = {e.line: e.message for e in plan.errors}
    assert set(found) == {3, 4, 6, 9, 10}
    assert "no academy with the code or name 'nowhere'" in found[3]
    assert "added on the People page" in found[4]
    assert "needs a year group" in found[6]
    assert "not a year group" in found[9]
    assert "is not usable" in found[10]
    assert count(db) == 0


def test_spreadsheet_exports_in_windows_encoding_with_a_bom_are_read(db, make):
    make.academy("Riverside Primary", code="riverside")
    utf8 = "\ufeffacademy,role,name,username,year\nriverside,pupil,Zoë Brontë,zoe.bronte,3\n"
    plan = plan_files(db, {"a.csv": utf8.encode("utf-8")}, as_of=NOW.date())
    assert plan.ok and plan.creates[0].values.display_name == "Zoë Brontë"
    windows = "academy,role,name,username,year\nriverside,pupil,Zoë Brontë,zoe.bronte,3\n"
    plan = plan_files(db, {"a.csv": windows.encode("cp1252")}, as_of=NOW.date())
    assert plan.ok and plan.creates[0].values.display_name == "Zoë Brontë"


def test_two_simple_files_at_once_are_refused(db):
    plan = plan_files(db, {"a.csv": b"academy\n", "b.csv": b"academy\n"}, as_of=NOW.date())
    assert not plan.ok and "one simple CSV file" in plan.errors[0].message


def test_command_dry_run_reports_and_writes_nothing(app, db, make, tmp_path):
    make.academy("Riverside Primary", code="riverside")
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    runner = app.test_cli_runner()
    result = runner.invoke(users, ["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "create ruby.shah [pupil] (people.csv line 2)" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert count(db) == 0

    result = runner.invoke(users, ["import", str(path)])
    assert result.exit_code == 0 and "Import applied." in result.output
    assert count(db) == 6


def test_command_refuses_a_file_with_bad_rows(app, db, make, tmp_path):
    make.academy("Riverside Primary", code="riverside")
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "riverside,pupil,No Year,no.year,,,,\n")
    result = app.test_cli_runner().invoke(users, ["import", str(path)])
    assert result.exit_code == 1
    assert "ERROR people.csv line 8: a pupil needs a year group" in result.output
    assert count(db) == 0


def test_command_reads_a_oneroster_folder(app, db):
    from pathlib import Path

    folder = Path(__file__).parent / "data" / "autumn"
    result = app.test_cli_runner().invoke(users, ["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "20 to create" in result.output
    assert count(db) == 20
