"""A subject access export holds every kind of learning record, each key explained."""

from __future__ import annotations

import html
import json

from elearn.db import utcnow
from elearn.privacy import registry
from elearn.privacy.services import export_person
from tests.privacy import people


def download(app, admin, person_id: int) -> dict:
    client = app.test_client()
    client.login(admin.username)
    response = client.post(f"/admin/people/{person_id}/export")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_export_holds_every_learning_record(content_root, app, make, db):
    everything = people.build(app, make, db)
    data = download(app, everything.admin, everything.person.id)

    cycles = data["course_cycles"]["cycles"]
    online = next(c for c in cycles if c["source"] == "online" and c["course"] == "test-staff")
    assert online["status"] == "completed" and online["completed_on"] and online["expires_on"]
    assert [r["lesson"] for r in online["lessons_read"]] == ["01-first", "02-second"]
    offline = next(c for c in cycles if c["source"] == "offline")
    assert offline["evidence_note"] == people.EVIDENCE and offline["recorded_by"] == "Dee Lead"
    assert any(c["course"] == "test-policy" for c in cycles)

    (attempt,) = data["quiz_attempts"]
    assert attempt["state"] == "submitted" and attempt["passed"] is True
    assert (attempt["score"], attempt["score_max"], attempt["percent"]) == (5, 6, 83)
    typed = next(a for a in attempt["answers"] if a["question_id"] == "test-staff-short")
    assert typed["question"] == "Name the capital of France."
    assert typed["response"] == people.TYPED_ANSWER
    assert typed["correct"] is False and typed["answer_score"] == 0
    assert sum(a["correct"] for a in attempt["answers"]) == 5

    (certificate,) = [c for c in data["certificates"] if c["course"] == "test-staff"][:1]
    assert certificate["code"] == everything.certificate_code
    assert certificate["holder_name"] == people.NAME and certificate["completed_on"]
    (sign_off,) = data["policy_sign_offs"]
    assert sign_off["policy_version"] == "1.0" and sign_off["signed_at"]

    statements = data["learning_record_statements"]["statements"]
    verbs = {s["verb"].rsplit("/", 1)[1] for s in statements}
    assert {"experienced", "attempted", "answered", "passed", "completed"} <= verbs
    # Found by actor: the one third-party content sent by e-mail address is theirs too.
    assert any(people.EMAIL in s["statement"] for s in statements)
    assert all(json.loads(s["statement"])["id"] == s["statement_id"] for s in statements)

    assert data["training_reminders"][0]["kind"] == "due"
    assert data["parent_links"]["children"][0]["name"] == "Sam Okafor"
    assert [a["succeeded"] for a in data["sign_in"]["attempts"]] == [False, True]
    about = {e["action"] for e in data["audit"]["changes_to_this_person"]}
    assert {"person.update", "privacy.export"} <= about
    assert data["audit"]["actions_by_this_person"][0]["action"] == "lesson.feedback"


def test_an_administrators_export_holds_what_they_issued(content_root, app, make, db):
    everything = people.build(app, make, db)
    data = export_person(db, everything.admin.id, now=utcnow())
    (credential,) = data["lrs_credentials_issued"]
    assert credential["name"] == f"Tablet for {people.NAME}" and credential["can_write"]
    actions = {e["action"] for e in data["audit"]["actions_by_this_person"]}
    assert {"lrs_credential.issued", "privacy.export"} <= actions


def _keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def test_every_section_explains_every_key_it_holds(content_root, app, make, db):
    everything = people.build(app, make, db)
    unexplained = {}
    for person in (everything.person, everything.admin, everything.dsl):
        data = export_person(db, person.id, now=utcnow(), include_confidential=True)
        for name in registry.EXPORTERS:
            guide = registry.GUIDES.get(name)
            if guide is None:
                unexplained[name] = "no guide"
                continue
            # Audit details are quoted as recorded: their keys are the changed fields'.
            value = data[name]
            if name == "audit":
                value = {k: [{**e, "detail": {}} for e in v] for k, v in value.items()}
            missing = _keys(value, set()) - set(guide.keys)
            if missing:
                unexplained[name] = sorted(missing)
    assert not unexplained, unexplained


def test_the_readable_copy_shows_the_learning_records(content_root, app, make, db):
    everything = people.build(app, make, db)
    client = app.test_client()
    client.login(everything.admin.username)
    made = client.post(f"/admin/people/{everything.person.id}/export", data={"format": "page"})
    page = html.unescape(client.get(made.headers["Location"]).get_data(as_text=True))
    for shown in (
        everything.certificate_code,
        people.TYPED_ANSWER,
        "Name the capital of France.",
        people.EVIDENCE,
        "02-second",
        "I have read and understood the test policy.",
        "Courses and lessons",
        "Learning records (xAPI statements)",
    ):
        assert shown in page, shown
