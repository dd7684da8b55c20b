"""Who may open, change and download each kind of report. Anyone outside the report's
academy team gets 404 for it (never a hint that it exists); trust admins see no content."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from elearn.auth.roles import Role
from elearn.safeguarding.models import ReportKind
from tests.safeguarding.helpers import file_report, png_bytes

REPORTER_ROLE = {
    ReportKind.TELL: "pupil",
    ReportKind.INAPPROPRIATE_CONTENT: "parent",
    ReportKind.BLOCKED_ACCESS: "staff",
    ReportKind.CONTACT_ATTEMPT: "staff",
    ReportKind.CYBERBULLYING: "staff",
    ReportKind.PARENT_CONCERN: "parent",
}
HEAD_ONLY = {ReportKind.BLOCKED_ACCESS, ReportKind.CONTACT_ATTEMPT}
PEOPLE = ("pupil", "parent", "staff", "other_staff", "dsl", "head", "far_dsl", "far_head", "admin")


@dataclass
class Cast:
    people: dict
    report: object


@pytest.fixture(params=list(ReportKind), ids=lambda kind: kind.value)
def cast(request, make, db, app_config) -> Cast:
    here = make.academy("Here Academy")
    far = make.academy("Far Academy")
    people = {
        "pupil": make.user(Role.PUPIL, here),
        "parent": make.user(Role.PARENT, here),
        "staff": make.user(Role.STAFF, here),
        "other_staff": make.user(Role.STAFF, here),
        "dsl": make.user(Role.DSL, here),
        "head": make.user(Role.HEAD, here),
        "far_dsl": make.user(Role.DSL, far),
        "far_head": make.user(Role.HEAD, far),
        "admin": make.user(Role.ADMIN, None),
    }
    kind = request.param
    report = file_report(
        db, people[REPORTER_ROLE[kind]], kind, app_config["DATA_DIR"], with_file=png_bytes()
    )
    return Cast(people=people, report=report)


def _status(app, person, method, url, data=None):
    client = app.test_client()
    assert client.login(person.username).status_code == 302
    return client.open(url, method=method, data=data).status_code


def test_reading_a_report(app, cast):
    report = cast.report
    reporter = REPORTER_ROLE[report.kind]
    expected = {name: 403 for name in PEOPLE}
    expected.update(dsl=200, head=200, far_dsl=404, far_head=404)
    got = {
        name: _status(app, cast.people[name], "GET", f"/reports/inbox/{report.id}")
        for name in PEOPLE
    }
    assert got == expected, f"reporter was {reporter}"


def test_downloading_its_file(app, cast):
    attachment = cast.report.attachments[0]
    expected = {name: 403 for name in PEOPLE}
    expected.update(dsl=200, head=200, far_dsl=404, far_head=404)
    url = f"/reports/files/{attachment.id}"
    assert {name: _status(app, cast.people[name], "GET", url) for name in PEOPLE} == expected


def test_the_sender_alone_sees_their_own_copy(app, cast):
    reporter = REPORTER_ROLE[cast.report.kind]
    expected = {name: 404 for name in PEOPLE}
    expected[reporter] = 200
    url = f"/reports/mine/{cast.report.id}"
    assert {name: _status(app, cast.people[name], "GET", url) for name in PEOPLE} == expected


def test_adding_to_the_record(app, cast):
    kind = cast.report.kind
    expected = {name: 403 for name in PEOPLE}
    expected.update(dsl=403 if kind in HEAD_ONLY else 302, head=302, far_dsl=404, far_head=404)
    url = f"/reports/inbox/{cast.report.id}/entries"
    got = {
        name: _status(app, cast.people[name], "POST", url, {"entry-text": "Checked in."})
        for name in PEOPLE
    }
    assert got == expected


def test_closing(app, cast):
    kind = cast.report.kind
    expected = {name: 403 for name in PEOPLE}
    if kind is ReportKind.BLOCKED_ACCESS:
        # A request is closed by its decision, never by "close".
        expected.update(dsl=403, head=422, far_dsl=404, far_head=404)
    else:
        expected.update(dsl=403 if kind in HEAD_ONLY else 302, head=302, far_dsl=404, far_head=404)
    url = f"/reports/inbox/{cast.report.id}/close"
    results = {}
    for name in PEOPLE:
        results[name] = _status(app, cast.people[name], "POST", url, {"close-outcome": "Done."})
        if results[name] == 302:  # reopen so the next person can try
            _status(
                app,
                cast.people[name],
                "POST",
                f"/reports/inbox/{cast.report.id}/reopen",
                {"reopen-reason": "Next check"},
            )
    assert results == expected


def test_deciding_is_for_the_head_teacher_of_that_academy(app, cast):
    kind = cast.report.kind
    expected = {name: 403 for name in PEOPLE}
    if kind is ReportKind.BLOCKED_ACCESS:
        expected.update(dsl=403, head=302, far_dsl=404, far_head=404)
    else:
        expected.update(dsl=404, head=404, far_dsl=404, far_head=404)
    url = f"/reports/inbox/{cast.report.id}/decision"
    data = {"decision-decision": "refused", "decision-reason": "Not needed this term."}
    got = {}
    for name in (
        "dsl",
        "far_dsl",
        "far_head",
        "pupil",
        "parent",
        "staff",
        "other_staff",
        "admin",
        "head",
    ):
        got[name] = _status(app, cast.people[name], "POST", url, data)
    assert got == expected


def test_a_report_the_team_can_only_read_says_so(app, cast):
    client = app.test_client()
    client.login(cast.people["dsl"].username)
    page = client.get(f"/reports/inbox/{cast.report.id}").get_data(as_text=True)
    read_only = "only the head teacher can change it" in page
    assert read_only == (cast.report.kind in HEAD_ONLY)
    assert ("Add to the record" in page) == (cast.report.kind not in HEAD_ONLY)


def test_unknown_ids_are_404_for_the_team(app, cast):
    head = cast.people["head"]
    assert _status(app, head, "GET", "/reports/inbox/987654") == 404
    assert _status(app, head, "GET", "/reports/files/987654") == 404
    assert _status(app, head, "POST", "/reports/inbox/987654/entries", {"entry-text": "x"}) == 404


def test_setting_the_risk_level(app, cast):
    """The case fields answer 404 to everyone outside the team, not only other academies."""
    kind = cast.report.kind
    expected = {name: 404 for name in PEOPLE}
    expected.update(dsl=403 if kind in HEAD_ONLY else 302, head=302)
    url = f"/reports/inbox/{cast.report.id}/risk"
    got = {
        name: _status(app, cast.people[name], "POST", url, {"risk-risk": level})
        for name, level in zip(PEOPLE, ("low", "medium", "high", "immediate") * 3, strict=False)
    }
    assert got == expected
