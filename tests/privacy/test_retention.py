"""Retention of leavers' records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from elearn.audit.models import AuditEntry
from elearn.auth.models import SsoSignIn, User
from elearn.auth.roles import Role
from elearn.auth.sso_records import record_sign_in
from elearn.privacy import holds
from elearn.privacy.commands import privacy
from elearn.privacy.retention import months_before, retention_months


def leaver(make, role, academy, left_on, **fields):
    return make.user(role, academy, active=False, left_on=left_on, **fields)


def test_months_before_handles_short_months():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)
    assert months_before(date(2026, 1, 15), 72) == date(2020, 1, 15)


def test_settings_page_changes_the_months_and_shows_who_is_due(client, make, db):
    academy = make.academy()
    long_gone = leaver(
        make, Role.PUPIL, academy, date.today() - timedelta(days=800), display_name="Long Gone"
    )
    leaver(make, Role.PUPIL, academy, date.today() - timedelta(days=30), display_name="Just Left")
    client.login(make.user(Role.ADMIN).username)

    page = client.get("/admin/retention").get_data(as_text=True)
    assert 'value="12"' in page  # the default for pupils
    assert "Long Gone" in page and "Just Left" not in page

    bad = client.post("/admin/retention", data={"pupil": "0", "parent": "3", "staff": "x"})
    assert bad.status_code == 422
    assert "Enter between 1 and 1200 months." in bad.get_data(as_text=True)

    ok = client.post("/admin/retention", data={"pupil": "36", "parent": "3", "staff": "72"})
    assert ok.status_code == 302
    assert (
        retention_months(
            db,
            {
                "RETENTION_PUPIL_MONTHS": 12,
                "RETENTION_PARENT_MONTHS": 3,
                "RETENTION_STAFF_MONTHS": 72,
            },
        )["pupil"]
        == 36
    )
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "Long Gone" not in page  # 800 days is inside 36 months
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "retention.update"))
    assert entry.detail == {"audience": "pupil", "from": None, "to": 36}
    assert db.get(User, long_gone.id).display_name == "Long Gone"  # the page never erases


def test_the_command_dry_runs_then_erases_leavers_past_their_time(app, make, db):
    academy = make.academy()
    today = datetime.now(UTC).date()
    old_pupil = leaver(make, Role.PUPIL, academy, today - timedelta(days=400), username="old.pupil")
    recent = leaver(make, Role.PUPIL, academy, today - timedelta(days=100), username="recent.pupil")
    old_parent = leaver(
        make, Role.PARENT, academy, today - timedelta(days=120), username="old.parent"
    )
    old_staff = leaver(make, Role.STAFF, academy, today - timedelta(days=400), username="old.staff")
    still_here = make.user(Role.PUPIL, academy, username="still.here")
    runner = app.test_cli_runner()

    dry = runner.invoke(privacy, ["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would erase old.pupil (pupil" in dry.output
    assert "would erase old.parent (parent" in dry.output
    assert "recent.pupil" not in dry.output and "old.staff" not in dry.output
    assert "Nothing was changed." in dry.output
    db.rollback()  # end the read snapshot and forget loaded rows:
    db.expire_all()  # the command committed in its own session
    assert db.get(User, old_pupil.id).erased_at is None

    real = runner.invoke(privacy, ["retention"])
    assert real.exit_code == 0, real.output
    assert "Erased 2" in real.output, real.output
    db.rollback()  # end the read snapshot and forget loaded rows:
    db.expire_all()  # the command committed in its own session
    assert db.get(User, old_pupil.id).erased_at is not None
    assert db.get(User, old_parent.id).erased_at is not None
    for kept in (recent, old_staff, still_here):
        assert db.get(User, kept.id).erased_at is None


def test_the_command_keeps_leavers_with_a_hold_and_says_why(app, make, db):
    academy = make.academy()
    gone = leaver(make, Role.PUPIL, academy, date(2000, 1, 1), username="kept.pupil")
    saved = list(holds.HOLDS)
    holds.register_hold(
        lambda session, user_id: "open safeguarding case" if user_id == gone.id else None
    )
    try:
        result = app.test_cli_runner().invoke(privacy, ["retention"])
    finally:
        holds.HOLDS[:] = saved
    assert result.exit_code == 0
    assert "keeping kept.pupil (pupil, left 2000-01-01): open safeguarding case" in result.output
    db.rollback()  # end the read snapshot and forget loaded rows:
    db.expire_all()  # the command committed in its own session
    assert db.get(User, gone.id).erased_at is None


def test_the_command_forgets_school_account_sign_ins_after_a_year(app, db):
    now = datetime.now(UTC)
    for days, address in ((400, "old.refusal@gmail.example"), (30, "recent@northfield.example")):
        record_sign_in(
            db,
            {"iss": "https://accounts.google.com", "sub": address, "email": address},
            reason="wrong_domain",
            user_id=None,
            ip=None,
            now=now - timedelta(days=days),
        )
    db.commit()
    result = app.test_cli_runner().invoke(privacy, ["retention"])
    assert result.exit_code == 0, result.output
    db.rollback()
    assert list(db.scalars(select(SsoSignIn.email))) == ["recent@northfield.example"]
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "retention.apply")).one()
    assert entry.detail["sso_sign_ins_purged"] == 1
