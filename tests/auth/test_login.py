import re
from datetime import timedelta

from sqlalchemy import func, select

from elearn.auth.models import LoginAttempt, LoginSession
from elearn.auth.roles import Role
from elearn.db import utcnow
from tests.factories import PASSWORD


def test_sign_in_with_right_password_reaches_home(client, make):
    pupil = make.user(Role.PUPIL, make.academy(), display_name="Maya Patel")
    response = client.login(pupil.username)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Maya!" in page


def test_username_is_not_case_sensitive(client, make):
    make.user(Role.STAFF, make.academy(), username="j.bloggs")
    assert client.login("  J.Bloggs ").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make):
    user = make.user(Role.STAFF, make.academy())
    wrong = client.login(user.username, "not the password")
    unknown = client.login("nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    wrong_text = wrong.get_data(as_text=True)
    assert "That username and password do not match" in wrong_text

    def scrubbed(text: str, username: str) -> str:
        # The CSRF token carries a timestamp; everything else must be identical.
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', text).group(1)
        return text.replace(token, "").replace(username, "")

    assert scrubbed(wrong_text, user.username) == scrubbed(
        unknown.get_data(as_text=True), "nobody-here"
    )


def test_empty_form_explains_what_is_missing(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Enter your username." in text and "Enter your password." in text


def test_deactivated_person_cannot_sign_in(client, make, db):
    user = make.user(Role.STAFF, make.academy(), active=False)
    response = client.login(user.username)
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)


def test_next_parameter_only_allows_same_site_paths(client, make):
    user = make.user(Role.STAFF, make.academy())
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"username": user.username, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.logout()
    response = client.post(
        "/login?next=/healthz", data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/healthz"


def test_sign_out_invalidates_a_copied_cookie(app, client, make, db):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    stolen = client.get_cookie("elearn_session").value
    assert client.get("/").status_code == 200

    assert client.logout().status_code == 302
    assert client.get("/").status_code == 302

    thief = app.test_client()
    thief.set_cookie("elearn_session", stolen)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    revoked = db.scalar(
        select(func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_not(None))
    )
    assert revoked == 1


def test_an_idle_session_expires(app, client, make, db):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    login = db.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    login.last_seen_at = utcnow() - timedelta(hours=5)
    db.commit()
    assert client.get("/").status_code == 302


def test_deactivating_someone_ends_their_open_sessions(client, make, db):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    user.active = False
    db.commit()
    assert client.get("/").status_code == 302


def test_repeated_failures_throttle_that_account_only(app, client, make, db):
    academy = make.academy()
    target = make.user(Role.PUPIL, academy)
    classmate = make.user(Role.PUPIL, academy)
    for _ in range(5):
        assert client.login(target.username, "guess").status_code == 200
    blocked = client.login(target.username)  # even the right password now waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/").status_code == 302

    # Same classroom, same address: another pupil still signs in.
    other = app.test_client()
    assert other.login(classmate.username).status_code == 302


def test_throttle_lifts_after_the_window(client, make, db):
    user = make.user(Role.STAFF, make.academy())
    for _ in range(5):
        client.login(user.username, "guess")
    assert client.login(user.username).status_code == 429
    for attempt in db.scalars(select(LoginAttempt)):
        attempt.attempted_at = utcnow() - timedelta(minutes=16)
    db.commit()
    assert client.login(user.username).status_code == 302


def test_throttle_applies_to_unknown_usernames_too(client):
    for _ in range(5):
        client.login("ghost", "guess")
    assert client.login("ghost", "guess").status_code == 429


def test_login_form_without_csrf_token_is_rejected(client, make, db):
    user = make.user(Role.STAFF, make.academy())
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_forged_sign_out_does_not_sign_out(client, make):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_flags(client, make):
    user = make.user(Role.STAFF, make.academy())
    response = client.login(user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests
    secure = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        base_url="https://elearn.test",
    )
    assert "Secure" in secure.headers.get("Set-Cookie", "")


def test_passwords_are_stored_as_argon2_hashes(make):
    user = make.user(Role.STAFF, make.academy(), password="a new password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a new password" not in user.password_hash


def test_a_session_unused_for_a_while_still_works_for_writes(client, make, db):
    # Writes take SQLite's write lock first; refreshing "last seen" must not wait on it.
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    login = db.scalar(select(LoginSession).where(LoginSession.user_id == pupil.id))
    for path, method, expected in (
        ("/learn/smart-ks2/01-safe", "GET", 200),
        ("/learn/smart-ks2/quiz/start", "POST", 302),
    ):
        login.last_seen_at = utcnow() - timedelta(minutes=5)
        db.commit()
        response = client.open(path, method=method)
        assert response.status_code == expected
        db.expire_all()
        assert utcnow() - db.get(LoginSession, login.token_hash).last_seen_at < timedelta(minutes=1)
