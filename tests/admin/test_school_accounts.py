"""The trust admin's school account pages: who signed in or was refused and why, and
removing a person's linked account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from elearn.audit.models import AuditEntry
from elearn.auth.models import SsoIdentity, SsoSignIn
from elearn.auth.roles import Role
from elearn.auth.sso_records import PER_PAGE, record_sign_in
from elearn.privacy.registry import ERASERS, EXPORTERS

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def entra(sub: str, email: str, name: str, tenant: str = TENANT) -> dict[str, object]:
    return {
        "iss": f"https://login.microsoftonline.com/{tenant}/v2.0",
        "sub": sub,
        "tid": tenant,
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "email": email,
        "name": name,
    }


def link(db, person, sub: str = "AAAAIkzqFVrSaSaFHy782bbtaQ") -> SsoIdentity:
    identity = SsoIdentity(
        user_id=person.id,
        issuer=f"https://login.microsoftonline.com/{TENANT}/v2.0",
        subject=sub,
        tenant_id=TENANT,
        object_id="00000000-0000-0000-66f3-3332eca7ea81",
        email=person.email,
        linked_by="email",
        linked_at=AT,
        last_used_at=AT,
    )
    db.add(identity)
    db.commit()
    return identity


def test_an_admin_sees_why_someone_could_not_sign_in(client, make, db):
    admin = make.user(Role.ADMIN, None)
    teacher = make.user(
        Role.STAFF, make.academy(), display_name="Amy Hughes", email="a.hughes@northfield.example"
    )
    record_sign_in(
        db,
        entra("s1", "a.hughes@northfield.example", "Amy Hughes", OTHER_TENANT),
        reason="wrong_tenant",
        user_id=None,
        ip="192.0.2.10",
        now=AT,
    )
    record_sign_in(
        db,
        entra("s2", "a.hughes@northfield.example", "Amy Hughes"),
        reason="linked_by_email",
        user_id=teacher.id,
        ip="192.0.2.10",
        now=AT + timedelta(minutes=5),
    )
    record_sign_in(
        db,
        entra("s3", "k.ward@northfield.example", "Kim Ward"),
        reason="email_not_verified",
        user_id=None,
        ip="192.0.2.11",
        now=AT + timedelta(minutes=6),
    )
    db.commit()
    client.login(admin.username)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/admin/sign-ins"' in home

    page = client.get("/admin/sign-ins?q=hughes").get_data(as_text=True)
    assert "Microsoft 365 organisation (tenant) that is not one of the trust" in page
    assert f"Microsoft tenant {OTHER_TENANT}" in page
    assert "linked to them by its verified e-mail address" in page
    assert f'href="/admin/people/{teacher.id}"' in page
    assert "Kim Ward" not in page

    by_address = client.get("/admin/sign-ins?q=K.WARD@").get_data(as_text=True)
    assert "does not vouch for its e-mail address" in by_address
    assert "Amy Hughes" not in by_address


def test_a_refusal_about_a_known_person_is_found_by_their_name_here(client, make, db):
    admin = make.user(Role.ADMIN, None)
    teacher = make.user(
        Role.STAFF, make.academy(), display_name="Grace Mensah", email="g.mensah@northfield.example"
    )
    # The account's own name and address are not hers: only the link says who it concerns.
    record_sign_in(
        db,
        entra("other", "grace@northfield.example", "G M"),
        reason="linked_elsewhere",
        user_id=teacher.id,
        ip=None,
        now=AT,
    )
    db.commit()
    client.login(admin.username)
    page = client.get("/admin/sign-ins?q=Grace Mensah").get_data(as_text=True)
    assert "already linked to a different school account" in page


def test_the_list_shows_fifty_a_page_newest_first(client, make, db):
    admin = make.user(Role.ADMIN, None)
    for n in range(PER_PAGE + 1):
        record_sign_in(
            db,
            entra(f"s{n}", f"person{n:02d}@northfield.example", f"Person {n:02d}"),
            reason="no_account",
            user_id=None,
            ip=None,
            now=AT + timedelta(minutes=n),
        )
    db.commit()
    client.login(admin.username)
    first = client.get("/admin/sign-ins").get_data(as_text=True)
    assert first.count("We could not") == 0  # the person's message is not the admin's
    assert first.count("nobody here has this account") == PER_PAGE
    assert first.index("person50@") < first.index("person49@")
    assert "person00@" not in first
    second = client.get("/admin/sign-ins?page=2").get_data(as_text=True)
    assert "person00@" in second and "person01@" not in second
    assert client.get("/admin/sign-ins?page=3").status_code == 404


def test_an_admin_removes_a_linked_account_after_confirming(client, make, db):
    admin = make.user(Role.ADMIN, None)
    teacher = make.user(
        Role.STAFF, make.academy(), display_name="Amy Hughes", email="a.hughes@northfield.example"
    )
    identity_id = link(db, teacher).id
    client.login(admin.username)
    page = client.get(f"/admin/people/{teacher.id}").get_data(as_text=True)
    assert "School accounts" in page and f"Microsoft tenant {TENANT}" in page

    url = f"/admin/people/{teacher.id}/school-accounts/{identity_id}/remove"
    confirm = client.post(url)
    assert confirm.status_code == 200
    assert "Remove Amy Hughes&#39;s school account link?" in confirm.get_data(as_text=True)
    db.expire_all()
    assert db.get(SsoIdentity, identity_id) is not None

    done = client.post(url, data={"confirm": "yes"})
    assert done.status_code == 302 and done.headers["Location"] == f"/admin/people/{teacher.id}"
    db.expire_all()
    assert db.get(SsoIdentity, identity_id) is None
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.sso_unlink")).one()
    assert (entry.actor_id, entry.subject_id) == (admin.id, teacher.id)
    assert entry.detail["tenant_id"] == TENANT
    history = client.get(f"/admin/people/{teacher.id}").get_data(as_text=True)
    assert "School account link removed" in history


def test_another_persons_linked_account_is_not_found(client, make, db):
    admin = make.user(Role.ADMIN, None)
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy, email="a.hughes@northfield.example")
    other = make.user(Role.STAFF, academy, email="b.jones@northfield.example")
    identity = link(db, other)
    client.login(admin.username)
    url = f"/admin/people/{teacher.id}/school-accounts/{identity.id}/remove"
    assert client.post(url, data={"confirm": "yes"}).status_code == 404
    db.expire_all()
    assert db.get(SsoIdentity, identity.id) is not None


def test_a_head_sees_no_linked_accounts(client, make, db):
    academy = make.academy()
    head = make.user(Role.HEAD, academy)
    teacher = make.user(Role.STAFF, academy, email="a.hughes@northfield.example")
    link(db, teacher)
    client.login(head.username)
    page = client.get(f"/admin/people/{teacher.id}").get_data(as_text=True)
    assert "School accounts" not in page


def test_export_and_erasure_cover_links_and_sign_ins(make, db):
    teacher = make.user(
        Role.STAFF, make.academy(), display_name="Amy Hughes", email="a.hughes@northfield.example"
    )
    link(db, teacher)
    record_sign_in(
        db,
        entra("s1", "a.hughes@northfield.example", "Amy Hughes", OTHER_TENANT),
        reason="wrong_tenant",
        user_id=None,
        ip="192.0.2.10",
        now=AT,
    )
    record_sign_in(
        db,
        entra("s2", "someone.else@northfield.example", "Someone Else"),
        reason="no_account",
        user_id=None,
        ip=None,
        now=AT,
    )
    db.commit()
    exported = EXPORTERS["school_accounts"](db, teacher.id)
    assert [a["tenant_id"] for a in exported["linked_accounts"]] == [TENANT]
    assert [s["email"] for s in exported["sign_ins"]] == ["a.hughes@northfield.example"]
    for eraser in ERASERS:
        if eraser.__name__ == "erase_school_accounts":
            eraser(db, teacher.id)
    db.commit()
    assert db.scalars(select(SsoIdentity)).all() == []
    assert [s.email for s in db.scalars(select(SsoSignIn))] == ["someone.else@northfield.example"]
