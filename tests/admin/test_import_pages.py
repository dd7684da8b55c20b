"""The roster upload page: a dry run first, then confirm."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.roster.models import RosterUpload

DATA = Path(__file__).resolve().parents[1] / "roster" / "data"
SIMPLE = (
    "academy,role,name,username,year\n"
    "oakwood,pupil,Ava Jones,ava.jones,4\n"
    "oakwood,pupil,Ben Ode,ben.ode,5\n"
)


def people(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(User).where(User.role == Role.PUPIL))


def upload(client, files: dict[str, bytes]):
    data = {"files": [(io.BytesIO(content), name) for name, content in files.items()]}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def confirm_form(page: str) -> tuple[str, str]:
    action = re.search(r'action="(/admin/import/\d+/confirm)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)
    return action, fingerprint


def test_upload_shows_a_dry_run_and_confirming_applies_it(client, make, db):
    make.academy("Oakwood Primary", code="oakwood")
    client.login(make.user(Role.ADMIN).username)
    response = upload(client, {"pupils.csv": SIMPLE.encode()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing has been saved yet" in page
    assert "Ava Jones" in page and "ava.jones" in page
    assert people(db) == 0

    action, fingerprint = confirm_form(page)
    done = client.post(action, data={"fingerprint": fingerprint})
    # Post/redirect/get: the result has its own page, which reloads without re-applying.
    assert done.status_code == 303
    result_url = done.headers["Location"]
    assert re.fullmatch(r"/admin/import/\d+/applied", result_url)
    for _ in range(2):
        shown = client.get(result_url)
        assert shown.status_code == 200
        assert "Import applied" in shown.get_data(as_text=True)
        assert "<strong>2</strong> created" in shown.get_data(as_text=True)
    assert people(db) == 2
    # The uploaded text is not kept once applied.
    stored = db.scalar(select(RosterUpload))
    assert stored.contents == {} and stored.applied_at is not None


def test_confirming_twice_applies_once_and_says_so(client, make, db):
    make.academy("Oakwood Primary", code="oakwood")
    client.login(make.user(Role.ADMIN).username)
    page = upload(client, {"pupils.csv": SIMPLE.encode()}).get_data(as_text=True)
    action, fingerprint = confirm_form(page)
    assert client.post(action, data={"fingerprint": fingerprint}).status_code == 303

    again = client.post(action, data={"fingerprint": fingerprint}, follow_redirects=True)
    assert again.status_code == 200
    text = again.get_data(as_text=True)
    assert "already been applied" in text and "not applied a second time" in text
    assert people(db) == 2
    imports = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "roster.import")
    )
    assert imports == 1


def test_another_admins_result_page_is_not_found(app, client, make, db):
    make.academy("Oakwood Primary", code="oakwood")
    client.login(make.user(Role.ADMIN).username)
    page = upload(client, {"pupils.csv": SIMPLE.encode()}).get_data(as_text=True)
    action, fingerprint = confirm_form(page)
    result_url = client.post(action, data={"fingerprint": fingerprint}).headers["Location"]
    other = app.test_client()
    other.login(make.user(Role.ADMIN).username)
    assert other.get(result_url).status_code == 404
    # Nor does another admin's second confirm say anything about it.
    assert other.post(action, data={"fingerprint": fingerprint}).status_code == 404


def test_the_template_downloads_with_the_simple_headings_and_reads_back(client, make, db):
    client.login(make.user(Role.ADMIN).username)
    page = client.get("/admin/import").get_data(as_text=True)
    assert 'href="/admin/import/template.csv"' in page
    response = client.get("/admin/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].split(",")[:4] == ["academy", "role", "name", "username"]
    # Filled in with a row, it imports as it is.
    make.academy("Oakwood Primary", code="oakwood")
    filled = text + "oakwood,pupil,Ava Jones,ava.jones,,Year 4,,,\r\n"
    shown = upload(client, {"template.csv": filled.encode()})
    assert shown.status_code == 200 and "ava.jones" in shown.get_data(as_text=True)


def test_a_oneroster_set_is_uploaded_as_several_files(client, make, db):
    client.login(make.user(Role.ADMIN).username)
    files = {p.name: p.read_bytes() for p in (DATA / "autumn").iterdir()}
    response = upload(client, files)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "OneRoster 1.1" in page
    assert "Riverside Primary Academy" in page


def test_bad_rows_are_listed_with_their_lines_and_cannot_be_confirmed(client, make, db):
    make.academy("Oakwood Primary", code="oakwood")
    client.login(make.user(Role.ADMIN).username)
    bad = SIMPLE + "oakwood,pupil,No Year,no.year,\n"
    response = upload(client, {"pupils.csv": bad.encode()})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "1 row cannot be imported" in page
    assert "<td>pupils.csv</td><td>4</td><td>a pupil needs a year group</td>" in page
    assert "Confirm and apply" not in page
    assert people(db) == 0


def test_confirming_after_someone_changed_things_shows_the_new_dry_run(client, make, db):
    academy = make.academy("Oakwood Primary", code="oakwood")
    client.login(make.user(Role.ADMIN).username)
    page = upload(client, {"pupils.csv": SIMPLE.encode()}).get_data(as_text=True)
    action, fingerprint = confirm_form(page)
    # Meanwhile, someone adds Ava by hand.
    make.user(Role.PUPIL, academy, username="ava.jones", display_name="Ava J", year_group=4)

    response = client.post(action, data={"fingerprint": fingerprint})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Things changed since you checked" in text
    assert people(db) == 1  # nothing applied
    new_action, new_fingerprint = confirm_form(text)
    assert new_fingerprint != fingerprint
    assert client.post(new_action, data={"fingerprint": new_fingerprint}).status_code == 303
    assert people(db) == 2


def test_uploading_nothing_is_explained(client, make):
    client.login(make.user(Role.ADMIN).username)
    response = client.post("/admin/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose at least one CSV file" in response.get_data(as_text=True)


def test_another_admins_upload_cannot_be_confirmed(app, client, make, db):
    make.academy("Oakwood Primary", code="oakwood")
    client.login(make.user(Role.ADMIN).username)
    page = upload(client, {"pupils.csv": SIMPLE.encode()}).get_data(as_text=True)
    action, fingerprint = confirm_form(page)
    other = app.test_client()
    other.login(make.user(Role.ADMIN).username)
    assert other.post(action, data={"fingerprint": fingerprint}).status_code == 404
    assert people(db) == 0


def test_only_admins_import(client, make):
    client.login(make.user(Role.HEAD, make.academy()).username)
    assert client.get("/admin/import").status_code == 403


def test_the_dry_run_shows_nursery_years_and_who_cannot_sign_in(client, make):
    client.login(make.user(Role.ADMIN).username)
    files = {p.name: p.read_bytes() for p in (DATA / "uk_mis").iterdir()}
    page = upload(client, files).get_data(as_text=True)
    assert "Pupil, Nursery 1" in page and "Pupil, Nursery 2" in page
    assert page.count("cannot sign in</span>") == 1  # Ruby West, enabledUser=false


def test_a_person_disabled_in_the_roster_is_shown_as_unable_to_sign_in_not_as_left(
    client, make, db
):
    from elearn.db import utcnow
    from elearn.roster.services import import_files

    files = {p.name: p.read_bytes() for p in (DATA / "uk_mis").iterdir()}
    import_files(db, files, actor_id=None, now=utcnow(), dry_run=False)
    db.commit()
    client.login(make.user(Role.ADMIN).username)
    page = client.get("/admin/people?inactive=1&q=ruby").get_data(as_text=True)
    assert "Ruby West" in page
    assert "Cannot sign in (disabled in the roster)" in page
    assert "Left" not in re.sub(r"Include people who have left", "", page)
