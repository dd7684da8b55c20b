"""OneRoster 1.1 as UK MIS connectors export it: the National Curriculum year in an
extension column, Nursery pupils, names with apostrophes and accents, disabled accounts,
and a manifest that says what the files are."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elearn.admin.services import year_label
from elearn.auth.models import Academy, User
from elearn.auth.passwords import hash_password
from elearn.auth.services import LoginOutcome, attempt_login
from elearn.privacy.retention import retention_plan
from elearn.roster.services import import_files, plan_files

DATA = Path(__file__).parent / "data" / "uk_mis"
AUTUMN = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 9, 10, 9, 0, tzinfo=UTC)


def files(**replace: str) -> dict[str, bytes]:
    found = {path.name: path.read_bytes() for path in sorted(DATA.iterdir())}
    for name, text in replace.items():
        found[name.replace("_", ".", 1) if name.endswith("_csv") else name] = text.encode()
    return found


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def users_with(*rows: str) -> str:
    return text("users.csv") + "".join(row + "\n" for row in rows)


def person(db, username: str) -> User:
    found = db.scalar(select(User).where(User.username == username))
    assert found is not None, f"{username} was not imported"
    return found


def run(db, upload: dict[str, bytes], now: datetime = AUTUMN):
    plan = import_files(db, upload, actor_id=None, now=now, dry_run=False)
    db.commit()
    return plan


def messages(db, upload: dict[str, bytes]) -> dict[tuple[str, int], str]:
    plan = plan_files(db, upload, as_of=AUTUMN.date())
    assert not plan.ok
    return {(e.file, e.line): e.message for e in plan.errors}


def test_the_year_comes_from_the_nc_year_column_in_every_spelling(db):
    plan = run(db, files())
    assert plan.ok and plan.summary()["created"] == 11
    years = {
        u.username: u.year_group
        for u in db.scalars(select(User).where(User.year_group.is_not(None)))
    }
    assert years == {
        "aoife.o'neill": 5,  # Year 5
        "zoë.smith": 5,  # Y5
        "sam.jones": 5,  # 05
        "ali.khan": 5,  # 5
        "ella.brown": 0,  # R
        "finn.grey": 0,  # Reception
        "isla.reed": -2,  # N1
        "omar.farah": -1,  # N2
        "ruby.west": 5,
    }
    assert [year_label(y) for y in (-2, -1, 0, 5)] == [
        "Nursery 1",
        "Nursery 2",
        "Reception",
        "Year 5",
    ]


def test_grades_is_used_when_the_nc_year_column_is_blank(db):
    users = users_with("stu-10,,,true,sch-1,student,kai.lee,,Kai,Lee,,S10,,,,,03,,")
    run(db, files(users_csv=users))
    assert person(db, "kai.lee").year_group == 3


def test_an_unknown_year_is_a_bad_row_that_says_what_is_allowed(db):
    users = users_with(
        "stu-10,,,true,sch-1,student,kai.lee,,Kai,Lee,,S10,,,,,,,Year 15",
        "stu-11,,,true,sch-1,student,mia.lee,,Mia,Lee,,S11,,,,,,,Nursery",
    )
    found = messages(db, files(users_csv=users))
    assert "use N1, N2, Reception or 1 to 13" in found[("users.csv", 13)]
    assert "write N1 or N2" in found[("users.csv", 14)]


def test_apostrophes_and_accents_in_usernames_are_kept_and_sign_in_ignores_case(db):
    run(db, files())
    aoife, zoe = person(db, "aoife.o'neill"), person(db, "zoë.smith")
    assert (aoife.display_name, zoe.display_name) == ("Aoife O'Neill", "Zoë Smith")
    zoe.password_hash = hash_password("purple-giraffe-42")
    db.commit()
    for typed in ("ZOË.SMITH", unicodedata.normalize("NFD", "Zoë.Smith")):
        result = attempt_login(db, typed, "purple-giraffe-42", ip="10.0.0.1", now=AUTUMN)
        assert result.outcome is LoginOutcome.OK, typed
    db.rollback()


def test_re_importing_matches_usernames_whatever_their_case_or_accent_form(db):
    run(db, files())
    shouting = text("users.csv").replace("zoë.smith", unicodedata.normalize("NFD", "ZOË.Smith"))
    plan = run(db, files(users_csv=shouting))
    assert plan.ok and not plan.creates and not plan.has_changes
    assert db.scalar(select(func.count()).select_from(User)) == 11


def test_a_disabled_user_cannot_sign_in_but_stays_on_the_roll_with_no_retention_clock(db):
    run(db, files())
    ruby = person(db, "ruby.west")
    assert not ruby.active and ruby.left_on is None and ruby.year_group == 5
    ruby.password_hash = hash_password("purple-giraffe-42")
    db.commit()
    result = attempt_login(db, "ruby.west", "purple-giraffe-42", ip="10.0.0.1", now=AUTUMN)
    assert result.outcome is LoginOutcome.BAD_CREDENTIALS
    months = {"pupil": 12, "parent": 12, "staff": 12}
    assert ruby.id not in {d.user_id for d in retention_plan(db, months, as_of=LATER.date()).due}

    enabled = text("users.csv").replace("stu-9,,,false", "stu-9,,,true")
    plan = run(db, files(users_csv=enabled))
    assert [(p.values.username, p.changes) for p in plan.updates] == [
        ("ruby.west", ("access_restored",))
    ]
    assert person(db, "ruby.west").active


def test_a_leaver_listed_again_but_disabled_is_back_on_the_roll_and_off_the_clock(db):
    run(db, files())
    tom = person(db, "sam.jones")
    tom.active, tom.left_on = False, AUTUMN.date()
    db.commit()
    disabled = text("users.csv").replace("stu-3,,,true", "stu-3,,,false")
    plan = run(db, files(users_csv=disabled))
    assert ("sam.jones", ("curtailed",)) in [(p.values.username, p.changes) for p in plan.updates]
    sam = person(db, "sam.jones")
    assert not sam.active and sam.left_on is None


def test_a_link_to_a_refused_row_names_that_row_not_a_missing_person(db):
    broken = text("users.csv").replace(",S1,,,,,,,Year 5", ",S1,,,,,,,Year 15")
    found = messages(db, files(users_csv=broken))
    assert "not a year group" in found[("users.csv", 3)]
    parent = found[("users.csv", 12)]
    assert "stu-1's own row was refused (users.csv line 3)" in parent
    assert "not in the roster" not in parent
    # One reason per problem: no "needs an academy" on top for the parent.
    assert list(found) == [("users.csv", 3), ("users.csv", 12)]


def test_a_simple_file_link_to_a_refused_row_names_that_row(db, make):
    make.academy("Oakwood", code="oakwood")
    simple = (
        "academy,role,name,username,year,parent of\n"
        "oakwood,pupil,Ann Lee,ann.lee,Year 15,\n"
        "oakwood,parent,Bo Lee,bo.lee,,ann.lee\n"
    )
    found = messages(db, {"people.csv": simple.encode()})
    assert "ann.lee's own row was refused (people.csv line 2)" in found[("people.csv", 3)]


def test_a_user_at_a_refused_school_names_the_school_row(db):
    orgs = text("orgs.csv") + "sch-2,,,Oakwood Primary Academy,school,149999,trust-1\n"
    users = users_with("tch-2,,,true,sch-2,teacher,b.cole,,Bea,Cole,,T2,,,,,,,")
    found = messages(db, files(orgs_csv=orgs, users_csv=users))
    assert (
        "another school is also called Oakwood Primary Academy (line 3)" in found[("orgs.csv", 4)]
    )
    assert "sch-2, whose own row was refused (orgs.csv line 4)" in found[("users.csv", 13)]


def test_two_schools_with_one_name_or_identifier_are_refused_at_the_dry_run(db):
    orgs = text("orgs.csv") + "sch-2,,,oakwood primary academy,school,,trust-1\n"
    assert "also called" in messages(db, files(orgs_csv=orgs))[("orgs.csv", 4)]
    orgs = text("orgs.csv") + "sch-2,,,Elm Academy,school,141234,trust-1\n"
    assert "identifier 141234" in messages(db, files(orgs_csv=orgs))[("orgs.csv", 4)]
    assert db.scalar(select(func.count()).select_from(Academy)) == 0


# --- the manifest ---------------------------------------------------------------------------


def test_the_manifest_is_required(db):
    upload = files()
    del upload["manifest.csv"]
    assert "manifest.csv is missing" in messages(db, upload)[("manifest.csv", 1)]


def test_a_file_the_manifest_lists_but_the_upload_lacks_is_refused(db):
    upload = files()
    del upload["enrollments.csv"]
    found = messages(db, upload)
    assert (
        "lists enrollments.csv as bulk, but enrollments.csv is not in the upload"
        in found[("manifest.csv", 11)]
    )


def test_a_file_the_manifest_calls_absent_is_refused(db):
    manifest = text("manifest.csv").replace("file.classes,bulk", "file.classes,absent")
    found = messages(db, files(manifest_csv=manifest))
    assert "manifest.csv lists it as absent" in found[("classes.csv", 1)]


def test_status_values_in_a_bulk_file_are_refused_not_taken_as_a_delta(db):
    run(db, files())
    partial = (
        text("users.csv").splitlines()[0]
        + "\nstu-1,active,2025-09-10,true,sch-1,student,aoife.o'neill,,Aoife,O'Neill,,S1,,,,,,,"
        "Year 5\n"
    )
    found = messages(db, files(users_csv=partial))
    message = found[("users.csv", 2)]
    assert "status is 'active', but manifest.csv says users.csv is bulk" in message
    # Nobody was marked as left on a guess.
    assert db.scalar(select(func.count()).where(User.active.is_(False))) == 1


def test_a_delta_file_needs_a_status_on_every_row(db):
    manifest = text("manifest.csv").replace("file.users,bulk", "file.users,delta")
    found = messages(db, files(manifest_csv=manifest))
    assert "every row of a delta file says active or tobedeleted" in found[("users.csv", 2)]
    assert "and 10 more rows" in found[("users.csv", 2)]


def test_a_delta_file_changes_only_its_rows_and_tobedeleted_leaves(db):
    run(db, files())
    manifest = text("manifest.csv").replace("file.users,bulk", "file.users,delta")
    header = text("users.csv").splitlines()[0]
    delta = (
        header
        + "\nstu-3,tobedeleted,2026-01-05,true,sch-1,student,sam.jones,,Sam,Jones,,S3,,,,,,,05"
        "\nstu-4,active,2026-01-05,true,sch-1,student,ali.khan,,Ali,Khan,,S4,,,,,,,6\n"
    )
    plan = run(db, files(manifest_csv=manifest, users_csv=delta), datetime(2026, 1, 6, tzinfo=UTC))
    assert [p.values.username for p in plan.deactivations] == ["sam.jones"]
    assert [p.values.username for p in plan.updates] == ["ali.khan"]
    assert person(db, "aoife.o'neill").active  # absent from a delta: unchanged
    assert person(db, "sam.jones").left_on is not None


def test_another_oneroster_version_is_refused(db):
    manifest = text("manifest.csv").replace("oneroster.version,1.1", "oneroster.version,1.2")
    assert "only OneRoster 1.1" in messages(db, files(manifest_csv=manifest))[("manifest.csv", 3)]


@pytest.mark.parametrize("mode", ["full", ""])
def test_a_mode_that_is_not_bulk_delta_or_absent_is_refused(db, mode):
    manifest = text("manifest.csv").replace("file.users,bulk", f"file.users,{mode}")
    found = messages(db, files(manifest_csv=manifest))
    assert "must be bulk, delta or absent" in found[("manifest.csv", 16)]
