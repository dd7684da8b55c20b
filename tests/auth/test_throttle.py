"""Sign-in throttling slows guessers without locking owners or classrooms out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from elearn.auth.models import LoginAttempt
from elearn.auth.roles import Role
from elearn.auth.throttle import LoginPolicy, wait_before_attempt
from elearn.db import utcnow
from tests.factories import PASSWORD

SCHOOL = "203.0.113.10"
ATTACKER = "198.51.100.66"
HOME = "192.0.2.44"


def sign_in(app, username: str, password: str = PASSWORD, *, ip: str):
    client = app.test_client()
    client.fetch_csrf_token()
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_an_attackers_failures_do_not_stop_the_owner_elsewhere(app, make):
    owner = make.user(Role.STAFF, make.academy())
    for _ in range(8):
        sign_in(app, owner.username, "guess", ip=ATTACKER)
    blocked = sign_in(app, owner.username, PASSWORD, ip=ATTACKER)
    assert blocked.status_code == 429  # the guesser waits, even with the right password
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert sign_in(app, owner.username, ip=HOME).status_code == 302


def test_a_class_behind_one_address_signs_in_while_one_pupil_keeps_mistyping(app, make):
    academy = make.academy()
    pupils = [make.user(Role.PUPIL, academy) for _ in range(30)]
    clumsy, *others = pupils
    for _ in range(12):
        sign_in(app, clumsy.username, "wrong", ip=SCHOOL)
    # A few others mistype once or twice before getting it right, as children do.
    for pupil in others[:8]:
        sign_in(app, pupil.username, "oops", ip=SCHOOL)
    signed_in = [sign_in(app, p.username, ip=SCHOOL).status_code for p in others]
    assert signed_in == [302] * 29
    assert sign_in(app, clumsy.username, ip=SCHOOL).status_code == 429


def test_one_address_trying_many_accounts_slows_only_the_accounts_it_tried(app, make):
    academy = make.academy()
    sprayed = [make.user(Role.PUPIL, academy) for _ in range(30)]
    untouched = make.user(Role.PUPIL, academy)
    for pupil in sprayed:
        assert sign_in(app, pupil.username, "password1", ip=SCHOOL).status_code == 200
    # Thirty different accounts failed here: each of them now waits after one failure...
    assert sign_in(app, sprayed[0].username, "password2", ip=SCHOOL).status_code == 429
    # ...but an account that has not failed from this address signs in at once,
    assert sign_in(app, untouched.username, ip=SCHOOL).status_code == 302
    # and the sprayed accounts' owners are not slowed at home.
    assert sign_in(app, sprayed[0].username, ip=HOME).status_code == 302


def test_failures_from_many_addresses_reach_a_much_higher_account_ceiling(app, make):
    owner = make.user(Role.STAFF, make.academy())
    app.config["ELEARN"]["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 12
    for n in range(12):
        sign_in(app, owner.username, "guess", ip=f"198.51.100.{n + 1}")
    assert sign_in(app, owner.username, ip=HOME).status_code == 429


def test_delays_double_with_each_further_failure(db, make):
    policy = LoginPolicy(max_failures=5, window=timedelta(hours=1))
    now = utcnow()
    waits = []
    for failures in range(5, 9):
        db.query(LoginAttempt).delete()
        db.add_all(
            LoginAttempt(username="ava", ip=SCHOOL, succeeded=False, attempted_at=now)
            for _ in range(failures)
        )
        db.flush()
        waits.append(wait_before_attempt(db, "ava", SCHOOL, now=now, policy=policy))
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    db.rollback()


def test_the_wait_is_decided_by_the_database_for_every_server(app, make, db):
    # Two app instances on one database (two servers) see the same failures.
    from elearn import create_app

    owner = make.user(Role.STAFF, make.academy())
    for _ in range(5):
        sign_in(app, owner.username, "guess", ip=ATTACKER)
    other_server = create_app(app.config["ELEARN"])
    other_server.test_client_class = app.test_client_class
    try:
        assert sign_in(other_server, owner.username, ip=ATTACKER).status_code == 429
    finally:
        other_server.extensions["elearn.engine"].dispose()
    assert db.scalar(select(LoginAttempt.id).limit(1)) is not None
