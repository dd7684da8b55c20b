"""A CSRF token belongs to one sign-in: it stops working when that sign-in starts or ends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from elearn.auth.models import LoginSession
from elearn.auth.roles import Role
from elearn.db import utcnow
from tests.factories import PASSWORD


def _page_token(client, path: str = "/") -> str:
    client.get(path)
    return client.csrf_token


def test_a_token_issued_before_sign_in_does_not_work_after_it(client, make):
    user = make.user(Role.STAFF, make.academy())
    before = _page_token(client, "/login")
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    # The page-scraping attacker's token from the sign-in page cannot sign the person out.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    after = _page_token(client)
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def test_a_token_from_a_session_that_was_signed_out_does_not_work(client, make):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    signed_in_token = _page_token(client)
    assert client.post("/logout", data={"csrf_token": signed_in_token}).status_code == 302
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": signed_in_token},
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_a_token_from_an_expired_session_does_not_work(client, make, db):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    token = _page_token(client)
    login = db.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    login.last_seen_at = utcnow() - timedelta(hours=5)
    db.commit()
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


def test_each_sign_in_gets_its_own_token_and_pages_keep_working(client, make):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    first = _page_token(client)
    client.logout()
    client.login(user.username)
    second = _page_token(client)
    assert second != first
    assert client.post("/logout", data={"csrf_token": first}).status_code == 400
    assert client.post("/logout", data={"csrf_token": second}).status_code == 302
