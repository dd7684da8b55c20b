"""The dashboards as DSLs, heads and admins use them, and who may see what."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role, StaffKind
from elearn.compliance.models import PolicyRelease
from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from elearn.learning.models import CompletionSource, CourseCycle
from elearn.xapi.models import StoredStatement
from tests.compliance.conftest import complete, sign

DAY = "2026-01-05"


def today():
    return uk_date(utcnow())


@pytest.fixture
def school(make, db, app_catalog):
    academy = make.academy("Riverside Primary")
    dsl = make.user(Role.DSL, academy, display_name="Dana Lead")
    complete(db, dsl, "dsl-training", today() - timedelta(days=30))
    head = make.user(Role.HEAD, academy, display_name="Harriet Head")
    late = make.user(
        Role.STAFF, academy, display_name="Larry Late", start_on=today() - timedelta(days=400)
    )
    fresh = make.user(
        Role.STAFF, academy, display_name="Nina New", start_on=today() - timedelta(days=3)
    )
    done = make.user(Role.STAFF, academy, display_name="Priya Done", start_on=date(2019, 9, 2))
    complete(db, done, "staff-induction", date(2019, 9, 20))
    complete(db, done, "safeguarding-refresher", today() - timedelta(days=100))
    sign(db, done, today() - timedelta(days=10))
    volunteer = make.user(
        Role.STAFF, academy, display_name="Vic Volunteer", staff_kind=StaffKind.VOLUNTEER
    )
    other = make.academy("Northfield Secondary")
    other_dsl = make.user(Role.DSL, other, display_name="Olive Other")
    stranger = make.user(Role.STAFF, other, display_name="Stan Stranger")
    admin = make.user(Role.ADMIN, None, display_name="Ada Admin")
    staff_member = make.user(Role.STAFF, academy, display_name="Sid Staff")
    return {
        "academy": academy,
        "other": other,
        "dsl": dsl,
        "head": head,
        "late": late,
        "fresh": fresh,
        "done": done,
        "volunteer": volunteer,
        "other_dsl": other_dsl,
        "stranger": stranger,
        "admin": admin,
        "staff": staff_member,
    }


def page_of(response) -> str:
    return response.get_data(as_text=True)


def names_in_table(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/compliance/people/\d+">([^<]+)</a>', body)


# --- the academy dashboard --------------------------------------------------------------------


def test_dsl_sees_their_academy_with_status_as_text_and_colour(client, school):
    client.login(school["dsl"].username)
    response = client.get("/compliance/")
    assert response.status_code == 200
    html = page_of(response)
    assert "Staff training: Riverside Primary" in html
    assert "Larry Late" in html and "Nina New" in html
    assert "Stan Stranger" not in html  # another academy's staff
    assert '<span class="tag tag-bad">Overdue</span>' in html
    assert '<span class="tag tag-warn">Due soon</span>' in html
    assert '<span class="tag tag-good">Complete</span>' in html
    assert '<span class="tag tag-muted">Not required</span>' in html
    assert "valid until" in html


def test_counts_by_status_are_at_the_top_and_link_to_the_filter(client, school):
    client.login(school["head"].username)
    html = page_of(client.get("/compliance/"))
    summary = html.split('id="summary-title"', 1)[1].split("</ul>", 1)[0]
    overdue = summary.split('href="/compliance/?status=overdue"', 1)[1].split("</li>", 1)[0]
    # Dana, Harriet, Larry, Vic and Sid never did the induction and started long ago.
    assert '<span class="count-number">5</span>' in overdue
    assert html.index('id="summary-title"') < html.index('id="matrix-caption"')


def test_filter_to_overdue_lists_only_overdue_staff(client, school):
    client.login(school["dsl"].username)
    html = page_of(client.get("/compliance/?status=overdue"))
    names = names_in_table(html)
    assert "Larry Late" in names
    assert "Nina New" not in names and "Priya Done" not in names
    assert "(filtered)" in html
    assert '<option value="overdue" selected>' in html


def test_filter_by_course_and_role(client, school):
    client.login(school["dsl"].username)
    html = page_of(client.get("/compliance/?course=dsl-training&role=dsl"))
    assert names_in_table(html) == ["Dana Lead"]
    header = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "DSL training" in header and "Safeguarding refresher" not in header


def test_unknown_filter_values_are_ignored(client, school):
    client.login(school["dsl"].username)
    response = client.get("/compliance/?status=<script>&course=nope&role=admin&sort=x")
    assert response.status_code == 200
    assert len(names_in_table(page_of(response))) == 7
    assert "<script>" not in page_of(response)


def test_sorting_links_and_aria_sort(client, school):
    client.login(school["dsl"].username)
    html = page_of(client.get("/compliance/"))
    assert 'aria-sort="ascending"' in html
    assert 'href="/compliance/?sort=staff-induction"' in html
    names = names_in_table(html)
    assert names == sorted(names)

    html = page_of(client.get("/compliance/?sort=name&dir=desc"))
    assert 'aria-sort="descending"' in html
    assert names_in_table(html) == sorted(names, reverse=True)

    by_induction = names_in_table(page_of(client.get("/compliance/?sort=staff-induction")))
    assert by_induction.index("Larry Late") < by_induction.index("Nina New")
    assert by_induction.index("Nina New") < by_induction.index("Priya Done")


def test_report_date_can_be_moved(client, school):
    client.login(school["dsl"].username)
    earlier = today() - timedelta(days=200)
    html = page_of(client.get(f"/compliance/?as_of={earlier.isoformat()}&status=overdue"))
    # Nina had not started yet, and Larry's induction was not yet due.
    assert "Nina New" not in names_in_table(html)
    assert "(not today)" in html
    assert client.get("/compliance/?as_of=not-a-date").status_code == 200


def test_dsl_flag_when_the_academy_has_no_in_date_dsl(client, make, db, app_catalog):
    academy = make.academy("Lapsed Academy")
    dsl = make.user(Role.DSL, academy)
    complete(db, dsl, "dsl-training", today() - timedelta(days=800))
    client.login(dsl.username)
    html = page_of(client.get("/compliance/"))
    assert "No DSL with in-date DSL training" in html
    assert "Lapsed Academy has no active designated safeguarding lead" in html


def test_trained_academy_is_not_flagged(client, school):
    client.login(school["dsl"].username)
    assert "No DSL with in-date DSL training" not in page_of(client.get("/compliance/"))


def test_viewing_the_dashboard_notes_when_a_policy_version_first_appeared(client, db, school):
    client.login(school["dsl"].username)
    client.get("/compliance/")
    [release] = db.scalars(select(PolicyRelease)).all()
    assert (release.version, release.first_seen_on) == ("2026.1", today())


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/compliance/", "/compliance/trust", "/compliance/export.csv", "/compliance/print"],
)
def test_staff_cannot_open_the_dashboards(client, school, url):
    client.login(school["staff"].username)
    assert client.get(url).status_code == 403


def test_staff_cannot_see_a_colleagues_record(client, school):
    client.login(school["staff"].username)
    assert client.get(f"/compliance/people/{school['late'].id}").status_code == 403


def test_another_academys_dsl_gets_404_for_people_and_academies(client, school):
    client.login(school["other_dsl"].username)
    late, academy = school["late"], school["academy"]
    assert client.get(f"/compliance/people/{late.id}").status_code == 404
    assert client.get(f"/compliance/people/{late.id}/offline-training").status_code == 404
    assert client.get(f"/compliance/academies/{academy.id}").status_code == 404
    assert client.get(f"/compliance/export.csv?academy={academy.id}").status_code == 404
    assert client.get(f"/compliance/print?academy={academy.id}").status_code == 404
    assert client.get("/compliance/people/999999").status_code == 404
    # A pupil or parent at one's own academy is not a training record either.
    html = page_of(client.get("/compliance/"))
    assert "Larry Late" not in html and "Stan Stranger" in html


def test_leads_cannot_open_the_trust_overview(client, school):
    client.login(school["head"].username)
    assert client.get("/compliance/trust").status_code == 403


def test_admin_starts_at_the_trust_overview_and_sees_every_academy(client, school):
    client.login(school["admin"].username)
    response = client.get("/compliance/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/compliance/trust")
    html = page_of(client.get("/compliance/trust"))
    assert "Riverside Primary" in html and "Northfield Secondary" in html
    # An accessible chart: a title, a description and the same numbers in a table.
    assert '<svg class="bar-chart" role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    assert "Completion rate by course" in html
    # Northfield's DSL has no DSL training: flagged.
    assert "Academies without an in-date DSL" in html
    flag = html.split("Academies without an in-date DSL", 1)[1].split("</section>", 1)[0]
    assert "Northfield Secondary" in flag and "Riverside Primary" not in flag


def test_trust_overview_numbers(client, make, db, app_catalog):
    academy = make.academy("Numbers Academy")
    admin = make.user(Role.ADMIN, None)
    dsl = make.user(Role.DSL, academy, display_name="Dee", start_on=date(2020, 1, 6))
    for course_id in ("staff-induction", "safeguarding-refresher", "dsl-training"):
        complete(db, dsl, course_id, today() - timedelta(days=20))
    sign(db, dsl, today() - timedelta(days=20))
    make.user(Role.STAFF, academy, display_name="Stu", start_on=date(2020, 1, 6))
    client.login(admin.username)
    html = page_of(client.get("/compliance/trust"))
    # Dee: 4 of 4 in date; Stu: 0 of 3 (induction, refresher, policy) -> 4 of 7 = 57%.
    assert '57% <span class="cell-detail">4 of 7</span>' in html
    assert "Numbers Academy: 57%" in html  # in the chart's description


def test_admin_drills_down_to_any_academy_and_person(client, school):
    client.login(school["admin"].username)
    other = school["other"]
    html = page_of(client.get(f"/compliance/academies/{other.id}"))
    assert "Staff training: Northfield Secondary" in html
    assert "Stan Stranger" in html and "Larry Late" not in html
    assert client.get(f"/compliance/people/{school['late'].id}").status_code == 200
    assert client.get("/compliance/academies/999999").status_code == 404
    everyone = page_of(client.get("/compliance/?all=1"))
    assert "Stan Stranger" in everyone and "Larry Late" in everyone


def test_a_lead_may_open_their_own_academy_page(client, school):
    client.login(school["dsl"].username)
    assert client.get(f"/compliance/academies/{school['academy'].id}").status_code == 200


# --- export and print -------------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_export_is_the_filtered_view(client, school):
    client.login(school["dsl"].username)
    rows = read_csv(client.get("/compliance/export.csv?status=overdue"))
    names = [row["Name"] for row in rows]
    assert "Larry Late" in names and "Nina New" not in names
    larry = next(row for row in rows if row["Name"] == "Larry Late")
    assert larry["Staff induction: status"] == "Overdue"
    assert larry["Academy"] == "Riverside Primary"
    due = date.fromisoformat(larry["Staff induction: due or expires"])
    assert due == school["late"].start_on + timedelta(days=28)

    everyone = read_csv(client.get("/compliance/export.csv"))
    assert len(everyone) == 7


def test_export_neutralises_spreadsheet_formulas(client, make, db, school):
    academy = school["academy"]
    for name in ('=HYPERLINK("http://x")', "+44 caller", "-minus", "@SUM(A1)", "\tTabbed"):
        make.user(Role.STAFF, academy, display_name=name)
    client.login(school["dsl"].username)
    names = {row["Name"] for row in read_csv(client.get("/compliance/export.csv"))}
    assert '\'=HYPERLINK("http://x")' in names
    assert "'+44 caller" in names and "'-minus" in names and "'@SUM(A1)" in names
    assert "'\tTabbed" in names
    assert not any(name.startswith(("=", "+", "-", "@", "\t")) for name in names)


def test_admin_exports_the_whole_trust_or_one_academy(client, school):
    client.login(school["admin"].username)
    trust = read_csv(client.get("/compliance/export.csv?all=1"))
    assert {row["Academy"] for row in trust} == {"Riverside Primary", "Northfield Secondary"}
    one = read_csv(client.get(f"/compliance/export.csv?academy={school['other'].id}"))
    assert {row["Name"] for row in one} == {"Olive Other", "Stan Stranger"}


def test_printable_view_names_the_trust_academy_date_and_filters(client, school):
    client.login(school["dsl"].username)
    html = page_of(client.get("/compliance/print?status=overdue&role=staff"))
    assert "Tees Valley Education" in html
    assert "Staff training report: Riverside Primary" in html
    assert f"<dd>{today().day} " in html
    assert "status: Overdue; role: Staff" in html
    assert "Larry Late" in html and "Nina New" not in html
    assert "compliance.css" in html


# --- one person's record and offline training -------------------------------------------------


def test_person_page_shows_history_certificates_and_sign_offs(client, db, school):
    done = school["done"]
    client.login(school["dsl"].username)
    html = page_of(client.get(f"/compliance/people/{done.id}"))
    assert "Training record: Priya Done" in html
    assert "20 September 2019" in html  # the induction in the history
    assert "Version 2026.1, signed" in html
    assert "Record training done elsewhere" in html


def test_recording_offline_training_counts_as_completion_with_a_statement(client, db, school):
    late = school["late"]
    client.login(school["dsl"].username)
    form = client.get(f"/compliance/people/{late.id}/offline-training")
    assert form.status_code == 200
    assert "Record training done elsewhere" in page_of(form)
    done_on = today() - timedelta(days=3)
    response = client.post(
        f"/compliance/people/{late.id}/offline-training",
        data={
            "course": "safeguarding-refresher",
            "completed_on": done_on.isoformat(),
            "evidence_note": "INSET day, signed register in the staff office",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/compliance/people/{late.id}")

    db.expire_all()
    cycle = db.scalar(select(CourseCycle).where(CourseCycle.user_id == late.id))
    assert cycle.source is CompletionSource.OFFLINE
    assert cycle.completed_on == done_on
    assert cycle.evidence_note == "INSET day, signed register in the staff office"
    assert cycle.recorded_by_id == school["dsl"].id
    assert cycle.expires_on == date(done_on.year + 1, done_on.month, done_on.day)
    statement = db.scalar(select(StoredStatement).where(StoredStatement.user_id == late.id))
    assert statement.verb_id == "http://adlnet.gov/expapi/verbs/completed"
    assert statement.registration == cycle.registration

    html = page_of(client.get(f"/compliance/people/{late.id}"))
    assert "Recorded “Safeguarding refresher — annual” for Larry Late" in html
    assert "Evidence: INSET day, signed register in the staff office" in html
    dashboard = page_of(client.get("/compliance/?course=safeguarding-refresher&status=complete"))
    assert "Larry Late" in names_in_table(dashboard)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"course": "", "completed_on": "2026-01-05", "evidence_note": "INSET"},
            "Choose the course",
        ),
        (
            {"course": "safeguarding-refresher", "completed_on": "", "evidence_note": "INSET"},
            "Enter the date",
        ),
        (
            {
                "course": "safeguarding-refresher",
                "completed_on": "2026-01-05",
                "evidence_note": " ",
            },
            "Describe the evidence",
        ),
        (
            {"course": "dsl-training", "completed_on": DAY, "evidence_note": "INSET"},
            "Choose one of the courses listed",
        ),
    ],
)
def test_bad_offline_input_is_explained_and_kept(client, db, school, data, message):
    late = school["late"]
    client.login(school["dsl"].username)
    response = client.post(f"/compliance/people/{late.id}/offline-training", data=data)
    assert response.status_code == 422
    html = page_of(response)
    assert 'role="alert"' in html and message in html
    if data["evidence_note"].strip():
        assert data["evidence_note"] in html
    assert db.scalar(select(CourseCycle).where(CourseCycle.user_id == late.id)) is None


def test_offline_training_cannot_be_in_the_future(client, db, school):
    late = school["late"]
    client.login(school["dsl"].username)
    tomorrow = today() + timedelta(days=1)
    response = client.post(
        f"/compliance/people/{late.id}/offline-training",
        data={
            "course": "staff-induction",
            "completed_on": tomorrow.isoformat(),
            "evidence_note": "External course",
        },
    )
    assert response.status_code == 422
    assert "cannot be in the future" in page_of(response)
    assert "External course" in page_of(response)


def test_offline_training_needs_a_real_form_post(client, db, school):
    late = school["late"]
    client.login(school["dsl"].username)
    response = client.post(
        f"/compliance/people/{late.id}/offline-training",
        data={"course": "staff-induction", "completed_on": "2026-01-05", "evidence_note": "x"},
        csrf=False,
    )
    assert response.status_code == 400
    assert db.scalar(select(CourseCycle).where(CourseCycle.user_id == late.id)) is None
