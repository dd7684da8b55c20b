"""OneRoster 1.1 imports with real-shaped files: three academies, parents, leavers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.roles import Role, StaffKind
from elearn.roster.services import ImportRefused, apply_plan, import_files, plan_files

DATA = Path(__file__).parent / "data"
AUTUMN = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)
SPRING = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def files(folder: str) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((DATA / folder).iterdir())}


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def person(db, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    assert user is not None, f"{username} was not imported"
    return user


def children(db, parent: User) -> set[str]:
    return set(
        db.scalars(
            select(User.username)
            .join(ParentLink, ParentLink.pupil_id == User.id)
            .where(ParentLink.parent_id == parent.id)
        )
    )


def run(db, folder: str, now: datetime = AUTUMN, *, dry_run: bool = False):
    plan = import_files(db, files(folder), actor_id=None, now=now, dry_run=dry_run)
    db.commit()
    return plan


def test_first_import_creates_the_trust_as_the_roster_describes_it(db):
    plan = run(db, "autumn")
    assert plan.summary()["created"] == 20 and plan.ok

    academies = {a.name: a for a in db.scalars(select(Academy))}
    assert set(academies) == {
        "Riverside Primary Academy",
        "Northfield Secondary Academy",
        "Hilltop Infant Academy",
    }
    riverside = academies["Riverside Primary Academy"]
    assert riverside.urn == "140001" and riverside.roster_id

    ruby = person(db, "ruby.shah")
    assert (ruby.role, ruby.year_group, ruby.academy_id) == (Role.PUPIL, 5, riverside.id)
    assert ruby.display_name == "Ruby Shah"
    assert ruby.password_hash is None  # passwords never come from a file
    assert person(db, "ivy.clarke").year_group == 0  # KG is Reception

    aide = person(db, "p.green@riverside.example")
    assert (aide.role, aide.staff_kind) == (Role.STAFF, StaffKind.SUPPORT)
    # Attached to the trust only: trust-level staff, no academy.
    trust_admin = person(db, "k.shaw@tve.example")
    assert (trust_admin.role, trust_admin.academy_id, trust_admin.staff_kind) == (
        Role.STAFF,
        None,
        StaffKind.TRUST,
    )
    # users.csv names only the trust, but enrollments.csv puts her at Northfield.
    begum = person(db, "m.begum@northfield.example")
    assert begum.academy_id == academies["Northfield Secondary Academy"].id
    assert begum.staff_kind is StaffKind.TEACHER
    # A teacher at two schools belongs to the first one listed.
    assert person(db, "a.walsh@riverside.example").academy_id == riverside.id

    # Links from either side: on the parent's row, or on the pupil's.
    assert children(db, person(db, "nadia.shah")) == {"ruby.shah", "leo.shah"}
    assert children(db, person(db, "dev.patel")) == {"maya.patel"}
    # A parent attached only to the trust belongs with their children.
    erin = person(db, "erin.clarke")
    assert children(db, erin) == {"ivy.clarke", "noah.clarke"}
    assert erin.academy_id == academies["Hilltop Infant Academy"].id


def test_re_importing_the_same_files_changes_nothing(db):
    run(db, "autumn")
    people_before, links_before = count(db, User), count(db, ParentLink)

    again = run(db, "autumn")
    assert not again.has_changes
    assert again.unchanged == 20
    assert (count(db, User), count(db, ParentLink)) == (people_before, links_before)
    assert count(db, Academy) == 3


def test_the_next_term_updates_people_marks_leavers_and_adds_new_pupils(db):
    run(db, "autumn")
    tom = person(db, "tom.hughes")
    ruby_id = person(db, "ruby.shah").id

    plan = run(db, "spring", SPRING)
    summary = plan.summary()
    assert summary["created"] == 1
    assert summary["deactivated"] == 2  # Tom and Gill left
    reasons = {p.values.username: p.reason for p in plan.deactivations}
    assert reasons["tom.hughes"] == "no longer in the roster"
    # Zara is disabled (enabledUser=false): access curtailed, but she has not left.
    assert {p.values.username: p.changes for p in plan.updates}["zara.khan"] == ("curtailed",)

    db.expire_all()
    tom = db.get(User, tom.id)
    assert not tom.active and tom.left_on == date(2026, 1, 12)
    zara = person(db, "zara.khan")
    assert not zara.active and zara.left_on is None and zara.year_group == 9
    assert person(db, "freya.lewis").year_group == 0

    ruby = person(db, "ruby.shah")
    assert ruby.id == ruby_id and ruby.year_group == 6  # updated, not duplicated
    walsh = person(db, "a.walsh@riverside.example")
    assert walsh.email == "aoife.walsh@riverside.example"
    # Nadia's file row now lists only Ruby: the file speaks for her links.
    assert children(db, person(db, "nadia.shah")) == {"ruby.shah"}
    # Zara has left, but she is still Imran's daughter: that link stays.
    assert children(db, person(db, "imran.khan")) == {"zara.khan", "callum.reid"}
    assert [(link.parent, link.pupil) for link in plan.links_removed] == [
        ("nadia.shah", "leo.shah")
    ]
    # Trust-level staff are roster-managed too, and still listed: untouched.
    assert person(db, "k.shaw@tve.example").active

    assert not run(db, "spring", SPRING).has_changes


def test_a_delta_file_only_changes_the_people_it_lists(db):
    run(db, "autumn")
    plan = run(db, "delta", SPRING)
    assert [p.values.username for p in plan.deactivations] == ["tom.hughes"]
    assert [p.values.username for p in plan.creates] == ["amara.obi"]
    assert person(db, "ruby.shah").active  # absent from a delta: not a leaver


def test_a_leaver_who_comes_back_is_reactivated(db):
    run(db, "autumn")
    run(db, "delta", SPRING)
    plan = run(db, "autumn", SPRING)
    back = {p.values.username: p.changes for p in plan.updates}
    assert "active" in back["tom.hughes"]
    tom = person(db, "tom.hughes")
    assert tom.active and tom.left_on is None


def test_a_dry_run_writes_nothing(db):
    plan = run(db, "autumn", dry_run=True)
    assert plan.summary()["created"] == 20
    assert count(db, User) == 0 and count(db, Academy) == 0 and count(db, AuditEntry) == 0


def test_bad_rows_are_reported_with_file_line_and_reason_and_nothing_is_written(db):
    plan = plan_files(db, files("bad"), as_of=AUTUMN.date())
    found = {(e.file, e.line): e.message for e in plan.errors}
    assert set(found) == {("users.csv", n) for n in range(3, 9)}
    assert "role 'headteacher' is not one we know" in found[("users.csv", 3)]
    assert "needs a year group" in found[("users.csv", 4)]
    assert "appears twice (first on line 2)" in found[("users.csv", 5)]
    assert "'not-an-email' is not an e-mail address" in found[("users.csv", 6)]
    assert "agentSourcedIds names nobody" not in found[("users.csv", 7)]  # ids, not names
    assert "who is not in the roster" in found[("users.csv", 7)]
    assert "not in orgs.csv" in found[("users.csv", 8)]

    with pytest.raises(ImportRefused):
        import_files(db, files("bad"), actor_id=None, now=AUTUMN, dry_run=False)
    with pytest.raises(ImportRefused):
        apply_plan(db, plan, actor_id=None, now=AUTUMN)
    db.rollback()
    # All or nothing: even the good row and the academies were not created.
    assert count(db, User) == 0 and count(db, Academy) == 0


def test_a_failure_part_way_through_leaves_nothing_behind(app, db, monkeypatch):
    from elearn.roster import services

    calls = {"n": 0}
    real_record = services.record

    def failing_record(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("the database went away")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(services, "record", failing_record)
    with (
        app.extensions["elearn.writer_sessionmaker"]() as session,
        pytest.raises(RuntimeError),
    ):
        import_files(session, files("autumn"), actor_id=None, now=AUTUMN, dry_run=False)
        session.commit()
    assert count(db, User) == 0 and count(db, Academy) == 0


def test_matching_adopts_a_person_added_by_hand_instead_of_duplicating(db, make):
    riverside = make.academy("Riverside Primary Academy", code="riverside")
    ruby = make.user(Role.PUPIL, riverside, username="ruby.shah", display_name="Ruby S")
    plan = run(db, "autumn")
    assert "ruby.shah" not in {p.values.username for p in plan.creates}
    db.expire_all()
    adopted = db.get(User, ruby.id)
    assert adopted.roster_id and adopted.display_name == "Ruby Shah"
    assert db.get(Academy, riverside.id).roster_id  # the academy was adopted by name too
    assert count(db, Academy) == 3


def test_an_import_never_changes_a_role_given_by_hand(db):
    run(db, "autumn")
    okafor = person(db, "j.okafor@riverside.example")
    okafor.role = Role.DSL
    db.commit()
    plan = run(db, "autumn")
    assert not plan.has_changes
    assert person(db, "j.okafor@riverside.example").role is Role.DSL


def test_a_pupil_in_the_file_who_is_staff_here_is_a_bad_row(db, make):
    make.user(Role.STAFF, make.academy(), username="ruby.shah")
    plan = plan_files(db, files("autumn"), as_of=AUTUMN.date())
    assert not plan.ok
    (error,) = [e for e in plan.errors if e.line == 6]
    assert "is a staff here but a pupil in the file" in error.message


def test_a_username_held_by_another_roster_person_is_refused(db, make):
    make.user(Role.PUPIL, make.academy(), username="ruby.shah", roster_id="someone-else")
    plan = plan_files(db, files("autumn"), as_of=AUTUMN.date())
    assert any(e.line == 6 and "already belongs to someone else" in e.message for e in plan.errors)


def test_the_import_is_audited(db):
    run(db, "autumn")
    ruby = person(db, "ruby.shah")
    actions = db.scalars(
        select(AuditEntry.action).where(
            AuditEntry.subject_type == "user", AuditEntry.subject_id == ruby.id
        )
    ).all()
    assert "roster.create" in actions
    summary = db.scalar(select(AuditEntry).where(AuditEntry.action == "roster.import"))
    assert summary.detail["created"] == 20


def test_a_zip_of_the_files_is_read_like_the_files(db):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files("autumn").items():
            archive.writestr(f"export/{name}", data)
    plan = plan_files(db, {"roster.zip": buffer.getvalue()}, as_of=AUTUMN.date())
    assert plan.ok and plan.summary()["created"] == 20


def test_missing_files_and_columns_are_reported_on_line_one(db):
    manifest = files("bad")["manifest.csv"]
    only_users = {"manifest.csv": manifest, "users.csv": files("autumn")["users.csv"]}
    plan = plan_files(db, only_users, as_of=AUTUMN.date())
    assert [(e.file, e.line) for e in plan.errors] == [("orgs.csv", 1)]

    broken = {
        "manifest.csv": manifest,
        "orgs.csv": b"sourcedId,name\nx,Y\n",
        "users.csv": files("autumn")["users.csv"],
    }
    plan = plan_files(db, broken, as_of=AUTUMN.date())
    assert plan.errors[0].file == "orgs.csv" and "missing column(s): type" in plan.errors[0].message
