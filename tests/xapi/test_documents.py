"""The built-in LRS's document resources (state, activity profile, agent profile) over HTTP,
as learning software uses them."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.privacy.services import erase_person, export_person
from elearn.xapi.models import LrsDocument
from tests.xapi.test_resource import SITE, basic, issue

ACTIVITY = "https://example.org/activities/smart-1"
OTHER_ACTIVITY = "https://example.org/activities/smart-2"
ANNA = {"objectType": "Agent", "mbox": "mailto:anna@example.org"}
BEN = {"mbox": "mailto:ben@example.org"}
STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"
# A PNG's first bytes: not UTF-8, so a document that is kept as text would be spoilt.
PICTURE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01"


class Documents:
    """Calls the document resources as learning software would."""

    def __init__(self, client, key: str, secret: str, version: str | None = "1.0.3") -> None:
        self.client = client
        self.auth = basic(key, secret)
        self.version = version

    def headers(self, extra: dict) -> dict:
        headers = {"Authorization": self.auth}
        if self.version:
            headers["X-Experience-API-Version"] = self.version
        headers.update(extra)
        return headers

    def call(self, method, path, params, body=None, content_type=None, headers=None):
        query = urlencode(
            {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
        )
        extra = dict(headers or {})
        data = body
        if isinstance(body, dict | list):
            data = json.dumps(body)
            content_type = content_type or "application/json"
        if content_type:
            extra["Content-Type"] = content_type
        return self.client.open(
            f"{path}?{query}", method=method, data=data, headers=self.headers(extra)
        )

    def get(self, path, **params):
        return self.call("GET", path, params)

    def head(self, path, **params):
        return self.call("HEAD", path, params)

    def delete(self, path, headers=None, **params):
        return self.call("DELETE", path, params, headers=headers)

    def put(self, path, body, content_type=None, headers=None, **params):
        return self.call("PUT", path, params, body, content_type, headers)

    def post(self, path, body, content_type=None, headers=None, **params):
        return self.call("POST", path, params, body, content_type, headers)


@pytest.fixture
def docs(client, db) -> Documents:
    issued = issue(db)
    return Documents(client, issued.key, issued.secret)


def state(**extra) -> dict:
    params = {"activityId": ACTIVITY, "agent": ANNA, "stateId": "bookmark"}
    params.update(extra)
    return params


def etag(content: bytes) -> str:
    return '"' + hashlib.sha1(content).hexdigest() + '"'


def document_count(db) -> int:
    db.commit()
    return db.scalar(select(func.count()).select_from(LrsDocument))


# --- storing and reading ----------------------------------------------------------------------


def test_a_state_document_comes_back_as_put_with_its_etag_and_last_modified(docs):
    assert docs.put(STATE, {"page": 3}, **state()).status_code == 204
    response = docs.get(STATE, **state())
    assert response.status_code == 200
    assert response.get_json() == {"page": 3}
    assert response.mimetype == "application/json"
    assert response.headers["ETag"] == etag(response.get_data())
    assert "GMT" in response.headers["Last-Modified"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_head_answers_the_headers_of_get_without_the_body(docs):
    docs.put(STATE, {"page": 3}, **state())
    got = docs.get(STATE, **state())
    head = docs.head(STATE, **state())
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Last-Modified"] == got.headers["Last-Modified"]
    for path, params in (
        (ACTIVITY_PROFILE, {"activityId": ACTIVITY}),
        (AGENT_PROFILE, {"agent": ANNA}),
        ("/xapi/activities", {"activityId": ACTIVITY}),
        ("/xapi/agents", {"agent": ANNA}),
        ("/xapi/statements", {}),
        ("/xapi/about", {}),
    ):
        response = docs.head(path, **params)
        assert response.status_code == 200, path
        assert response.get_data() == b""


def test_a_binary_document_keeps_its_bytes_and_content_type(docs):
    response = docs.put(STATE, PICTURE, content_type="image/png", **state(stateId="drawing"))
    assert response.status_code == 204
    got = docs.get(STATE, **state(stateId="drawing"))
    assert got.get_data() == PICTURE
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["ETag"] == etag(PICTURE)


def test_put_replaces_the_document(docs):
    docs.put(STATE, {"page": 3, "score": 1}, **state())
    docs.put(STATE, {"page": 4}, **state())
    assert docs.get(STATE, **state()).get_json() == {"page": 4}


def test_a_missing_document_is_a_json_404(docs):
    response = docs.get(STATE, **state(stateId="never-stored"))
    assert response.status_code == 404
    assert "never-stored" in response.get_json()["message"]


def test_the_agent_is_matched_by_its_identifier_not_its_name(docs):
    docs.put(STATE, {"page": 3}, **state())
    renamed = {**ANNA, "name": "Anna"}
    assert docs.get(STATE, **state(agent=renamed)).get_json() == {"page": 3}
    assert docs.get(STATE, **state(agent=BEN)).status_code == 404
    assert docs.get(STATE, **state(activityId=OTHER_ACTIVITY)).status_code == 404


# --- merging ----------------------------------------------------------------------------------


def test_post_stores_a_new_document_and_merges_into_an_existing_one(docs):
    assert docs.post(STATE, {"page": 3, "notes": {"a": 1}}, **state()).status_code == 204
    before = docs.get(STATE, **state()).headers["ETag"]
    assert docs.post(STATE, {"notes": {"b": 2}, "done": False}, **state()).status_code == 204
    merged = docs.get(STATE, **state())
    assert merged.headers["ETag"] == etag(merged.get_data()) != before
    # Top-level properties are replaced whole: one level deep, as the spec says.
    assert docs.get(STATE, **state()).get_json() == {"page": 3, "notes": {"b": 2}, "done": False}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[1, 2]", "application/json"),
        ("{not json", "application/json"),
        ('"a string"', "application/json"),
        (b"plain words", "text/plain"),
    ],
)
def test_post_merges_only_two_json_objects_and_leaves_the_document_unchanged(
    docs, body, content_type
):
    docs.put(STATE, {"page": 3}, **state())
    response = docs.post(STATE, body, content_type=content_type, **state())
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert docs.get(STATE, **state()).get_json() == {"page": 3}


def test_post_of_json_into_a_binary_document_is_refused(docs):
    docs.put(STATE, PICTURE, content_type="image/png", **state())
    assert docs.post(STATE, {"page": 3}, **state()).status_code == 400
    assert docs.get(STATE, **state()).get_data() == PICTURE


# --- concurrency ------------------------------------------------------------------------------


def test_if_match_must_name_the_current_etag(docs):
    docs.put(STATE, {"page": 3}, **state())
    current = docs.get(STATE, **state()).headers["ETag"]
    stale = {"If-Match": etag(b'{"page":2}')}
    assert docs.put(STATE, {"page": 9}, headers=stale, **state()).status_code == 412
    assert docs.post(STATE, {"page": 9}, headers=stale, **state()).status_code == 412
    assert docs.delete(STATE, headers=stale, **state()).status_code == 412
    assert docs.get(STATE, **state()).get_json() == {"page": 3}
    assert docs.put(STATE, {"page": 4}, headers={"If-Match": current}, **state()).status_code == 204
    assert docs.get(STATE, **state()).get_json() == {"page": 4}


def test_if_match_on_a_document_that_does_not_exist_fails(docs):
    response = docs.put(STATE, {"page": 1}, headers={"If-Match": "*"}, **state())
    assert response.status_code == 412
    assert docs.get(STATE, **state()).status_code == 404


def test_if_none_match_star_creates_only_a_new_document(docs):
    create_only = {"If-None-Match": "*"}
    assert docs.put(STATE, {"page": 1}, headers=create_only, **state()).status_code == 204
    assert docs.put(STATE, {"page": 2}, headers=create_only, **state()).status_code == 412
    assert docs.get(STATE, **state()).get_json() == {"page": 1}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (ACTIVITY_PROFILE, {"activityId": ACTIVITY, "profileId": "settings"}),
        (AGENT_PROFILE, {"agent": ANNA, "profileId": "settings"}),
    ],
)
def test_a_profile_put_must_send_a_precondition(docs, path, params):
    refused = docs.put(path, {"theme": "dark"}, **params)
    assert refused.status_code == 400
    assert "If-None-Match" in refused.get_json()["message"]
    assert (
        docs.put(path, {"theme": "dark"}, headers={"If-None-Match": "*"}, **params).status_code
        == 204
    )
    conflict = docs.put(path, {"theme": "light"}, **params)
    assert conflict.status_code == 409
    assert "If-Match" in conflict.get_json()["message"]
    assert docs.get(path, **params).get_json() == {"theme": "dark"}


def test_state_is_overwritten_freely_in_1_0_3_but_needs_a_precondition_in_2_0(client, db, docs):
    docs.put(STATE, {"page": 3}, **state())
    assert docs.put(STATE, {"page": 4}, **state()).status_code == 204
    issued = issue(db, name="Newer player")
    newer = Documents(client, issued.key, issued.secret, version="2.0.0")
    response = newer.put(STATE, {"page": 5}, **state())
    assert response.status_code == 409
    assert response.headers["X-Experience-API-Version"] == "2.0.0"
    assert newer.get(STATE, **state()).get_json() == {"page": 4}
    current = newer.get(STATE, **state()).headers["ETag"]
    assert (
        newer.put(STATE, {"page": 5}, headers={"If-Match": current}, **state()).status_code == 204
    )


# --- several documents ------------------------------------------------------------------------


def test_get_without_a_state_id_lists_the_ids_for_that_agent_activity_and_registration(docs):
    course = str(uuid.uuid4())
    docs.put(STATE, {"page": 1}, **state(stateId="bookmark"))
    docs.put(STATE, {"on": True}, **state(stateId="sound"))
    docs.put(STATE, {"page": 7}, **state(stateId="in-course", registration=course))
    docs.put(STATE, {"page": 2}, **state(agent=BEN, stateId="bens"))
    everything = {"activityId": ACTIVITY, "agent": ANNA}
    assert sorted(docs.get(STATE, **everything).get_json()) == ["bookmark", "sound"]
    in_course = docs.get(STATE, **everything, registration=course.upper())
    assert in_course.get_json() == ["in-course"]


def test_since_lists_only_documents_changed_after_it(docs, db):
    docs.put(STATE, {"page": 1}, **state(stateId="old"))
    db.commit()
    old = db.scalar(select(LrsDocument).where(LrsDocument.document_id == "old"))
    old.updated_at = utcnow() - timedelta(days=2)
    db.commit()
    docs.put(STATE, {"page": 2}, **state(stateId="new"))
    since = (utcnow() - timedelta(days=1)).isoformat()
    listed = docs.get(STATE, activityId=ACTIVITY, agent=ANNA, since=since)
    assert listed.get_json() == ["new"]
    profiles = docs.get(AGENT_PROFILE, agent=ANNA, since=since)
    assert profiles.get_json() == []


def test_delete_without_a_state_id_deletes_that_agents_state_for_the_activity_only(docs, db):
    docs.put(STATE, {"page": 1}, **state(stateId="bookmark"))
    docs.put(STATE, {"on": True}, **state(stateId="sound"))
    docs.put(STATE, {"page": 2}, **state(agent=BEN))
    docs.put(STATE, {"page": 3}, **state(activityId=OTHER_ACTIVITY))
    assert docs.delete(STATE, activityId=ACTIVITY, agent=ANNA).status_code == 204
    assert docs.get(STATE, activityId=ACTIVITY, agent=ANNA).get_json() == []
    assert docs.get(STATE, **state(agent=BEN)).get_json() == {"page": 2}
    assert docs.get(STATE, **state(activityId=OTHER_ACTIVITY)).get_json() == {"page": 3}


def test_delete_of_one_document(docs):
    docs.put(STATE, {"page": 1}, **state())
    assert docs.delete(STATE, **state()).status_code == 204
    assert docs.get(STATE, **state()).status_code == 404
    # Deleting what is already gone is not an error.
    assert docs.delete(STATE, **state()).status_code == 204


def test_profiles_are_kept_apart_by_activity_and_by_agent(docs):
    create = {"If-None-Match": "*"}
    docs.put(ACTIVITY_PROFILE, {"a": 1}, headers=create, activityId=ACTIVITY, profileId="p")
    docs.put(AGENT_PROFILE, {"b": 2}, headers=create, agent=ANNA, profileId="p")
    assert docs.get(ACTIVITY_PROFILE, activityId=ACTIVITY, profileId="p").get_json() == {"a": 1}
    assert docs.get(AGENT_PROFILE, agent=ANNA, profileId="p").get_json() == {"b": 2}
    assert docs.get(ACTIVITY_PROFILE, activityId=ACTIVITY).get_json() == ["p"]
    assert docs.get(AGENT_PROFILE, agent=BEN).get_json() == []
    assert docs.post(AGENT_PROFILE, {"c": 3}, agent=ANNA, profileId="p").status_code == 204
    assert docs.get(AGENT_PROFILE, agent=ANNA, profileId="p").get_json() == {"b": 2, "c": 3}
    assert docs.delete(ACTIVITY_PROFILE, activityId=ACTIVITY, profileId="p").status_code == 204
    assert docs.get(ACTIVITY_PROFILE, activityId=ACTIVITY).get_json() == []


# --- bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"agent": ANNA, "stateId": "s"}, "activityId is required"),
        ({"activityId": ACTIVITY, "stateId": "s"}, "agent is required"),
        ({"activityId": ACTIVITY, "agent": ANNA}, "stateId is required"),
        ({"activityId": "not an iri", "agent": ANNA, "stateId": "s"}, "activityId"),
        ({"activityId": ACTIVITY, "agent": "anna", "stateId": "s"}, "agent"),
        ({"activityId": ACTIVITY, "agent": {"name": "Anna"}, "stateId": "s"}, "agent"),
        ({"activityId": ACTIVITY, "agent": ANNA, "stateId": "s", "registration": "7"}, "UUID"),
        ({"activityId": ACTIVITY, "agent": ANNA, "stateId": "s", "colour": "red"}, "colour"),
        # since filters the ids GET lists; a change cannot be "since" anything.
        (
            {"activityId": ACTIVITY, "agent": ANNA, "stateId": "s", "since": "2025-01-01T00:00Z"},
            "since",
        ),
    ],
)
def test_bad_parameters_get_a_400_that_says_what_is_wrong(docs, db, params, says):
    response = docs.put(STATE, {"page": 1}, **params)
    assert response.status_code == 400
    assert says in response.get_json()["message"]
    assert document_count(db) == 0


def test_since_must_be_a_timestamp(docs):
    response = docs.get(STATE, activityId=ACTIVITY, agent=ANNA, since="last tuesday")
    assert response.status_code == 400
    assert "since" in response.get_json()["message"]


def test_an_overlong_state_id_or_content_type_is_refused_not_cut_short(docs, db):
    response = docs.put(STATE, {"page": 1}, **state(stateId="x" * 600))
    assert response.status_code == 400
    long_type = "application/json; profile=" + "x" * 300
    response = docs.put(STATE, b"{}", content_type=long_type, **state())
    assert response.status_code == 400
    assert "Content-Type" in response.get_json()["message"]
    assert document_count(db) == 0


# --- who may call -----------------------------------------------------------------------------


def test_read_scope_reads_and_write_scope_writes(client, db, docs):
    docs.put(STATE, {"page": 1}, **state())
    reader = issue(db, read=True, write=False, name="Reader")
    writer = issue(db, read=False, write=True, name="Writer")
    read_only = Documents(client, reader.key, reader.secret)
    write_only = Documents(client, writer.key, writer.secret)
    assert read_only.get(STATE, **state()).status_code == 200
    assert read_only.put(STATE, {"page": 9}, **state()).status_code == 403
    assert read_only.delete(STATE, **state()).status_code == 403
    assert write_only.get(STATE, **state()).status_code == 403
    assert write_only.post(STATE, {"page": 2}, **state()).status_code == 204
    assert docs.get(STATE, **state()).get_json() == {"page": 2}


def test_no_credential_gets_401_and_a_wrong_secret_too(client, db, docs):
    docs.put(STATE, {"page": 1}, **state())
    url = f"{STATE}?{urlencode({**state(), 'agent': json.dumps(ANNA)})}"
    response = client.get(url, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="elearn xAPI"'
    issued = issue(db, name="Tablet")
    assert Documents(client, issued.key, "wrong").get(STATE, **state()).status_code == 401


def test_a_signed_in_pupil_cannot_reach_documents_through_their_session(client, make, docs):
    docs.put(STATE, {"page": 1}, **state())
    pupil = make.user(Role.PUPIL, make.academy("Oak Academy"))
    client.login(pupil.username)
    mine = {"account": {"homePage": SITE, "name": pupil.xapi_id}}
    url = f"{STATE}?{urlencode({**state(), 'agent': json.dumps(mine)})}"
    assert client.get(url, headers={"X-Experience-API-Version": "1.0.3"}).status_code == 403


def test_the_version_header_is_required(client, db, docs):
    docs.put(STATE, {"page": 1}, **state())
    issued = issue(db, name="Old player")
    response = Documents(client, issued.key, issued.secret, version=None).get(STATE, **state())
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.get_json()["message"]


# --- privacy ----------------------------------------------------------------------------------


def test_a_persons_documents_are_in_their_export_and_go_when_they_are_erased(docs, db, make):
    academy = make.academy("Oak Academy")
    # Older pupils may have a school e-mail address, which some software uses as the agent.
    pupil = make.user(Role.PUPIL, academy, email="ruby.shah@oak.example.org")
    other = make.user(Role.PUPIL, academy)
    db.commit()
    theirs = {"account": {"homePage": SITE, "name": pupil.xapi_id}}
    someone_else = {"account": {"homePage": SITE, "name": other.xapi_id}}
    by_email = {"mbox": "mailto:Ruby.Shah@oak.example.org"}
    docs.put(STATE, {"page": 3}, **state(agent=theirs))
    docs.put(STATE, PICTURE, content_type="image/png", **state(agent=theirs, stateId="drawing"))
    docs.put(
        AGENT_PROFILE,
        {"voice": "slow"},
        headers={"If-None-Match": "*"},
        agent=theirs,
        profileId="p",
    )
    docs.put(STATE, {"page": 8}, **state(agent=by_email, stateId="by-email"))
    docs.put(STATE, {"page": 5}, **state(agent=someone_else))
    docs.put(
        ACTIVITY_PROFILE,
        {"pages": 9},
        headers={"If-None-Match": "*"},
        activityId=ACTIVITY,
        profileId="p",
    )

    exported = export_person(db, pupil.id, now=utcnow())["learning_software_notes"]
    by_id = {(row["kind"], row["document_id"]): row for row in exported}
    assert json.loads(by_id[("state", "bookmark")]["content"]) == {"page": 3}
    assert by_id[("state", "drawing")]["content_base64"]
    assert by_id[("agent_profile", "p")]["activity"] == ""
    assert by_id[("state", "by-email")]
    assert len(exported) == 4

    erase_person(db, pupil.id, actor_id=None, now=utcnow())
    db.commit()
    assert docs.get(STATE, activityId=ACTIVITY, agent=theirs).get_json() == []
    assert docs.get(AGENT_PROFILE, agent=theirs).get_json() == []
    assert docs.get(STATE, activityId=ACTIVITY, agent=by_email).get_json() == []
    assert docs.get(STATE, **state(agent=someone_else)).get_json() == {"page": 5}
    assert docs.get(ACTIVITY_PROFILE, activityId=ACTIVITY, profileId="p").get_json() == {"pages": 9}


# --- several servers --------------------------------------------------------------------------


def test_merges_sent_at_the_same_moment_all_arrive(app, db, docs):
    """Several app servers may merge into one document at once: none of the merges is lost
    (the row is locked while it is merged; a first insert that loses the race is retried)."""
    senders = 6
    start = threading.Barrier(senders)
    statuses: list[int] = []

    def send(n: int) -> None:
        mine = Documents(app.test_client(), "", "")
        mine.auth = docs.auth
        start.wait()
        statuses.append(mine.post(STATE, {f"answer-{n}": n}, **state()).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [204] * senders
    assert docs.get(STATE, **state()).get_json() == {f"answer-{n}": n for n in range(senders)}


def test_erasure_takes_the_persons_name_out_of_other_software_notes(docs, db, make):
    academy = make.academy("Oak Academy")
    pupil = make.user(
        Role.PUPIL, academy, display_name="Ruby Shah", email="ruby.shah@oak.example.org"
    )
    teacher = {"mbox": "mailto:teacher@oak.example.org"}
    notes = {"groups": {"blue": ["Ruby Shah", "Sam Lee"]}, "contact": "ruby.shah@oak.example.org"}
    create = {"If-None-Match": "*"}
    docs.put(AGENT_PROFILE, notes, headers=create, agent=teacher, profileId="class-notes")
    docs.put(
        AGENT_PROFILE,
        b"Ruby Shah finished the quiz early.",
        content_type="text/plain; charset=utf-8",
        headers=create,
        agent=teacher,
        profileId="diary",
    )
    docs.put(
        AGENT_PROFILE,
        PICTURE,
        content_type="image/png",
        headers=create,
        agent=teacher,
        profileId="photo",
    )
    before = docs.get(AGENT_PROFILE, agent=teacher, profileId="class-notes").headers["ETag"]

    erase_person(db, pupil.id, actor_id=None, now=utcnow())
    db.commit()
    kept = docs.get(AGENT_PROFILE, agent=teacher, profileId="class-notes")
    text = kept.get_data(as_text=True)
    assert "Ruby" not in text and "ruby.shah" not in text
    assert kept.get_json()["groups"]["blue"][1] == "Sam Lee"
    assert kept.headers["ETag"] == etag(kept.get_data()) != before
    diary = docs.get(AGENT_PROFILE, agent=teacher, profileId="diary").get_data(as_text=True)
    assert "Ruby" not in diary and diary.endswith("finished the quiz early.")
    assert docs.get(AGENT_PROFILE, agent=teacher, profileId="photo").get_data() == PICTURE
