"""The built-in LRS over HTTP: /xapi/statements and /xapi/about, as another system uses it."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.xapi import credentials
from elearn.xapi.builders import statements
from elearn.xapi.formats import parse_timestamp
from elearn.xapi.lrs.store import record_statement
from elearn.xapi.models import ForwardState, StoredStatement

SITE = "http://elearn.test"
VERB = "http://adlnet.gov/expapi/verbs/experienced"
OTHER_VERB = "http://adlnet.gov/expapi/verbs/answered"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACTIVITY = "https://example.org/activities/smart-1"
OTHER_ACTIVITY = "https://example.org/activities/smart-2"
ANNA = {"mbox": "mailto:anna@example.org"}
BEN = {"mbox": "mailto:ben@example.org"}
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def stmt(actor=ANNA, verb=VERB, activity=ACTIVITY, **extra) -> dict:
    statement = {"actor": actor, "verb": {"id": verb}, "object": {"id": activity}}
    statement.update(extra)
    return statement


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class Lrs:
    """Calls the LRS as another system would: Basic credentials and the version header."""

    def __init__(self, client, key: str, secret: str, version: str | None = "1.0.3") -> None:
        self.client = client
        self.auth = basic(key, secret)
        self.version = version

    def headers(self, **extra) -> dict:
        headers = {"Authorization": self.auth}
        if self.version:
            headers["X-Experience-API-Version"] = self.version
        headers.update(extra)
        return headers

    def post(self, body, **headers):
        return self.client.post("/xapi/statements", json=body, headers=self.headers(**headers))

    def put(self, statement_id: str, body, **headers):
        return self.client.put(
            f"/xapi/statements?statementId={statement_id}",
            json=body,
            headers=self.headers(**headers),
        )

    def get(self, query: str = "", **headers):
        url = "/xapi/statements" + (f"?{query}" if query else "")
        return self.client.get(url, headers=self.headers(**headers))

    def get_params(self, **params):
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
        return self.get(query)

    def ids(self, **params) -> list[str]:
        response = self.get_params(**params)
        assert response.status_code == 200, response.get_json()
        return [s["id"] for s in response.get_json()["statements"]]


def issue(db, *, read=True, write=True, name="Reporting dashboard"):
    issued = credentials.issue_credential(db, name, can_read=read, can_write=write, now=utcnow())
    db.commit()
    return issued


@pytest.fixture
def lrs(client, db) -> Lrs:
    issued = issue(db)
    return Lrs(client, issued.key, issued.secret)


def stored_count(db) -> int:
    db.commit()
    return db.scalar(select(func.count()).select_from(StoredStatement))


# --- about and headers ------------------------------------------------------------------------


def test_about_lists_the_versions_without_credentials_or_a_version_header(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == ["1.0.3", "2.0.0"]
    assert all(key.startswith("http") for key in body["extensions"])
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_a_request_without_the_version_header_is_refused(client, db):
    issued = issue(db)
    response = Lrs(client, issued.key, issued.secret, version=None).get()
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.get_json()["message"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_an_old_version_is_refused_and_2_0_is_answered_as_2_0(client, db):
    issued = issue(db)
    assert Lrs(client, issued.key, issued.secret, version="0.95").get().status_code == 400
    response = Lrs(client, issued.key, issued.secret, version="2.0.0").get()
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


# --- credentials ------------------------------------------------------------------------------


def test_no_credentials_get_401_with_a_basic_challenge(client):
    response = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="elearn xAPI"'
    assert client.post("/xapi/statements", json=stmt()).status_code == 401


def test_a_wrong_secret_gets_401(client, db):
    issued = issue(db)
    response = Lrs(client, issued.key, "not-the-secret").get()
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_a_revoked_credential_gets_401(client, db, lrs):
    issued = issue(db, name="Old dashboard")
    api = Lrs(client, issued.key, issued.secret)
    assert api.get().status_code == 200
    credentials.revoke_credential(db, credentials.find_credential(db, issued.key), now=utcnow())
    db.commit()
    assert api.get().status_code == 401
    assert api.post(stmt()).status_code == 401


def test_scopes_limit_reading_and_sending(client, db):
    reader = issue(db, read=True, write=False, name="Reader")
    writer = issue(db, read=False, write=True, name="Writer")
    read_only = Lrs(client, reader.key, reader.secret)
    write_only = Lrs(client, writer.key, writer.secret)
    assert read_only.get().status_code == 200
    assert read_only.post(stmt()).status_code == 403
    assert write_only.post(stmt()).status_code == 200
    assert write_only.get().status_code == 403
    assert stored_count(db) == 1


# --- storing ----------------------------------------------------------------------------------


def test_a_posted_statement_is_stored_with_an_id_stored_time_and_authority(lrs, db):
    response = lrs.post(stmt())
    assert response.status_code == 200
    [statement_id] = response.get_json()
    assert uuid.UUID(statement_id).version == 4

    got = lrs.get_params(statementId=statement_id)
    assert got.status_code == 200
    statement = got.get_json()
    assert statement["id"] == statement_id
    assert statement["actor"] == ANNA
    assert statement["version"] == "1.0.0"
    assert statement["authority"]["account"]["homePage"] == SITE
    assert statement["authority"]["account"]["name"].startswith("lrs-")
    assert "stored" in statement and "timestamp" in statement
    # Received statements are another system's: they are not forwarded on.
    db.commit()
    row = db.scalar(select(StoredStatement).where(StoredStatement.statement_id == statement_id))
    assert row.forward_state is ForwardState.NOT_FORWARDED


def test_a_batch_is_stored_in_order_and_its_ids_returned_in_order(lrs):
    given = str(uuid.uuid4())
    response = lrs.post([stmt(verb=VERB), stmt(id=given, verb=OTHER_VERB), stmt(actor=BEN)])
    assert response.status_code == 200
    ids = response.get_json()
    assert len(ids) == 3 and ids[1] == given
    assert lrs.ids(ascending="true") == ids


def test_put_stores_under_the_given_id_and_answers_204(lrs):
    statement_id = str(uuid.uuid4())
    response = lrs.put(statement_id, stmt())
    assert response.status_code == 204
    assert response.data == b""
    assert lrs.get_params(statementId=statement_id).get_json()["id"] == statement_id


def test_put_needs_a_statement_id_that_matches_the_statement(lrs, db):
    assert lrs.client.put("/xapi/statements", json=stmt(), headers=lrs.headers()).status_code == 400
    response = lrs.put(str(uuid.uuid4()), stmt(id=str(uuid.uuid4())))
    assert response.status_code == 400
    assert "does not match statementId" in response.get_json()["message"]
    assert lrs.put("not-a-uuid", stmt()).status_code == 400
    assert lrs.put(str(uuid.uuid4()), [stmt()]).status_code == 400
    assert stored_count(db) == 0


def test_the_same_statement_again_is_accepted_and_stored_once(lrs, db):
    statement_id = str(uuid.uuid4())
    assert lrs.put(statement_id, stmt()).status_code == 204
    assert lrs.put(statement_id, stmt()).status_code == 204
    assert lrs.post(stmt(id=statement_id.upper())).get_json() == [statement_id]
    assert stored_count(db) == 1


def test_a_different_statement_with_a_stored_id_is_a_conflict_for_the_whole_batch(lrs, db):
    statement_id = str(uuid.uuid4())
    lrs.put(statement_id, stmt())
    before = lrs.get_params(statementId=statement_id).get_json()

    response = lrs.post([stmt(actor=BEN), stmt(id=statement_id, verb=OTHER_VERB)])
    assert response.status_code == 409
    assert statement_id in response.get_json()["message"]
    assert lrs.put(statement_id, stmt(verb=OTHER_VERB)).status_code == 409
    assert stored_count(db) == 1
    assert lrs.get_params(statementId=statement_id).get_json() == before


def test_one_id_twice_in_a_batch_is_400_when_they_differ_and_one_statement_when_not(lrs, db):
    statement_id = str(uuid.uuid4())
    response = lrs.post([stmt(id=statement_id), stmt(id=statement_id, verb=OTHER_VERB)])
    assert response.status_code == 400
    assert "another statement in this request" in response.get_json()["message"]
    assert stored_count(db) == 0

    response = lrs.post([stmt(id=statement_id), stmt(id=statement_id)])
    assert response.get_json() == [statement_id, statement_id]
    assert stored_count(db) == 1


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"actor": {"mbox": "anna@example.org"}}, "actor.mbox must be a mailto IRI"),
        ({"verb": {"id": "not an iri"}}, "verb.id must be an IRI"),
        ({"object": {"id": ACTIVITY, "objectType": "Thing"}}, "object.objectType must be"),
        ({"timestamp": "yesterday"}, "timestamp must be an ISO 8601 timestamp"),
        ({"id": "12345"}, "id must be a UUID"),
        ({"result": {"score": {"scaled": 2}}}, "result.score.scaled must be between -1 and 1"),
        ({"Actor": ANNA}, "Actor is not an allowed property"),
    ],
)
def test_a_malformed_statement_is_refused_with_the_reason_and_nothing_is_stored(
    lrs, db, bad, reason
):
    response = lrs.post([stmt(actor=BEN), stmt(**bad)])
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert message.startswith("statement 2: ")
    assert reason in message
    assert stored_count(db) == 0


def test_a_body_that_is_not_json_or_not_json_typed_is_refused(lrs, db):
    bad_json = lrs.client.post(
        "/xapi/statements",
        data="{not json",
        content_type="application/json",
        headers=lrs.headers(),
    )
    assert bad_json.status_code == 400
    assert "not valid JSON" in bad_json.get_json()["message"]
    form = lrs.client.post(
        "/xapi/statements", data={"content": "x"}, headers=lrs.headers(), csrf=False
    )
    assert form.status_code == 400
    multipart = lrs.client.post(
        "/xapi/statements",
        data=b"--b\r\n\r\n--b--",
        content_type='multipart/mixed; boundary="b"',
        headers=lrs.headers(),
    )
    assert multipart.status_code == 400
    assert "first part must be the statements" in multipart.get_json()["message"]
    assert stored_count(db) == 0


def test_attachments_sent_as_json_need_a_file_url(lrs, db):
    attachment = {
        "usageType": "https://example.org/attachment-types/certificate",
        "display": {"en-GB": "Certificate"},
        "contentType": "image/png",
        "length": 10,
        "sha2": "a" * 64,
    }
    response = lrs.post(stmt(attachments=[attachment]))
    assert response.status_code == 400
    assert "fileUrl" in response.get_json()["message"]
    ok = lrs.post(stmt(attachments=[{**attachment, "fileUrl": "https://example.org/sig.png"}]))
    assert ok.status_code == 200


# --- voiding ----------------------------------------------------------------------------------


def voiding(target: str, **extra) -> dict:
    return stmt(verb=VOIDED, object={"objectType": "StatementRef", "id": target}, **extra)


def test_a_voided_statement_is_only_reachable_by_voided_statement_id(lrs):
    [target] = lrs.post(stmt()).get_json()
    [void_id] = lrs.post(voiding(target, actor=BEN)).get_json()

    assert lrs.get_params(statementId=target).status_code == 404
    voided = lrs.get_params(voidedStatementId=target)
    assert voided.status_code == 200
    assert voided.get_json()["id"] == target
    assert "Last-Modified" in voided.headers
    listed = lrs.ids()
    assert target not in listed and void_id in listed
    # The voiding statement itself is not voided, so voidedStatementId does not find it.
    assert lrs.get_params(voidedStatementId=void_id).status_code == 404
    assert lrs.get_params(statementId=void_id).status_code == 200


def test_a_voiding_statement_cannot_be_voided(lrs, db):
    [target] = lrs.post(stmt()).get_json()
    [void_id] = lrs.post(voiding(target)).get_json()
    response = lrs.post(voiding(void_id))
    assert response.status_code == 400
    assert "cannot be voided" in response.get_json()["message"]
    assert stored_count(db) == 2


def test_voiding_an_unknown_statement_is_accepted_and_voids_it_when_it_arrives(lrs):
    later = str(uuid.uuid4())
    assert lrs.post(voiding(later)).status_code == 200
    assert lrs.put(later, stmt()).status_code == 204
    assert lrs.get_params(statementId=later).status_code == 404
    assert lrs.get_params(voidedStatementId=later).status_code == 200


def test_a_statement_and_its_voiding_in_one_batch(lrs):
    target = str(uuid.uuid4())
    response = lrs.post([voiding(target), stmt(id=target)])
    assert response.status_code == 200
    assert target not in lrs.ids()


# --- filters ----------------------------------------------------------------------------------


def test_agent_matches_the_actor_and_an_agent_object_and_group_members(lrs):
    [anna_did] = lrs.post(stmt(actor=ANNA)).get_json()
    [ben_did] = lrs.post(stmt(actor=BEN)).get_json()
    [about_anna] = lrs.post(stmt(actor=BEN, object={"objectType": "Agent", **ANNA})).get_json()
    group = {"objectType": "Group", "member": [{"objectType": "Agent", **ANNA}, BEN]}
    [group_did] = lrs.post(stmt(actor=group)).get_json()
    [taught] = lrs.post(stmt(actor=BEN, context={"instructor": ANNA})).get_json()

    found = lrs.ids(agent=json.dumps(ANNA))
    assert set(found) == {anna_did, about_anna, group_did}
    assert ben_did not in found and taught not in found
    related = lrs.ids(agent=json.dumps(ANNA), related_agents="true")
    assert set(related) == {anna_did, about_anna, group_did, taught}


def test_agent_matches_an_identified_group_and_mbox_case_does_not_matter(lrs):
    team = {"objectType": "Group", "account": {"homePage": SITE, "name": "year-5"}}
    [team_did] = lrs.post(stmt(actor=team)).get_json()
    lrs.post(stmt(actor=ANNA))
    assert lrs.ids(agent=json.dumps(team)) == [team_did]
    assert len(lrs.ids(agent=json.dumps({"mbox": "mailto:anna@EXAMPLE.org"}))) == 1


def test_verb_activity_and_related_activities(lrs):
    [plain] = lrs.post(stmt()).get_json()
    [answered] = lrs.post(stmt(verb=OTHER_VERB, activity=OTHER_ACTIVITY)).get_json()
    [child] = lrs.post(
        stmt(
            activity=OTHER_ACTIVITY,
            context={"contextActivities": {"parent": [{"id": ACTIVITY}]}},
        )
    ).get_json()

    assert lrs.ids(verb=OTHER_VERB) == [answered]
    assert set(lrs.ids(verb=VERB)) == {plain, child}
    assert lrs.ids(activity=ACTIVITY) == [plain]
    assert set(lrs.ids(activity=ACTIVITY, related_activities="true")) == {plain, child}
    assert lrs.ids(activity=OTHER_ACTIVITY, verb=VERB) == [child]


def test_registration_ignores_case(lrs):
    registration = str(uuid.uuid4())
    [mine] = lrs.post(stmt(context={"registration": registration.upper()})).get_json()
    lrs.post(stmt(context={"registration": str(uuid.uuid4())}))
    lrs.post(stmt())
    assert lrs.ids(registration=registration) == [mine]
    assert lrs.ids(registration=registration.upper()) == [mine]


def test_a_statement_referring_to_a_match_matches_too(lrs):
    [original] = lrs.post(stmt(actor=ANNA)).get_json()
    confirmed = stmt(
        actor=BEN,
        verb="http://example.org/verbs/confirmed",
        object={"objectType": "StatementRef", "id": original},
    )
    [confirmation] = lrs.post(confirmed).get_json()
    [of_confirmation] = lrs.post(
        stmt(actor=BEN, object={"objectType": "StatementRef", "id": confirmation})
    ).get_json()
    lrs.post(stmt(actor=BEN))

    assert set(lrs.ids(agent=json.dumps(ANNA))) == {original, confirmation, of_confirmation}
    assert set(lrs.ids(activity=ACTIVITY, agent=json.dumps(ANNA))) == {
        original,
        confirmation,
        of_confirmation,
    }


def test_since_and_until_compare_the_stored_time(app, lrs, db):
    rows = [
        record_statement(
            db, stmt(id=str(uuid.uuid4())), forward=False, stored_at=T0 + timedelta(hours=h)
        )
        for h in range(4)
    ]
    db.commit()
    ids = [row.statement_id for row in rows]
    since = (T0 + timedelta(hours=1)).isoformat()
    until = (T0 + timedelta(hours=2)).isoformat()
    assert lrs.ids(since=since) == [ids[3], ids[2]]
    assert lrs.ids(until=until) == [ids[2], ids[1], ids[0]]
    assert lrs.ids(since=since, until=until) == [ids[2]]
    assert lrs.get_params(since="last tuesday").status_code == 400


def test_queries_of_one_shape_each_get_their_own_values(app, lrs, db):
    # The SQL of each shape of query is built once and reused with new values.
    rows = [
        record_statement(
            db,
            stmt(actor=actor, activity=activity, id=str(uuid.uuid4())),
            forward=False,
            stored_at=T0 + timedelta(hours=h),
        )
        for h, (actor, activity) in enumerate(
            [(ANNA, ACTIVITY), (BEN, OTHER_ACTIVITY), (ANNA, OTHER_ACTIVITY), (BEN, ACTIVITY)]
        )
    ]
    db.commit()
    ids = [row.statement_id for row in rows]
    assert lrs.ids(agent=json.dumps(ANNA)) == [ids[2], ids[0]]
    assert lrs.ids(agent=json.dumps(BEN)) == [ids[3], ids[1]]
    assert lrs.ids(activity=ACTIVITY) == [ids[3], ids[0]]
    assert lrs.ids(activity=OTHER_ACTIVITY) == [ids[2], ids[1]]
    assert lrs.ids(agent=json.dumps(ANNA), activity=OTHER_ACTIVITY) == [ids[2]]
    assert lrs.ids(agent=json.dumps(BEN), activity=OTHER_ACTIVITY) == [ids[1]]
    for h in range(4):
        since = (T0 + timedelta(hours=h)).isoformat()
        assert lrs.ids(since=since) == list(reversed(ids[h + 1 :]))

    # Pages read with ``more`` (``after`` set) between queries without it are still right.
    assert lrs.ids(agent=json.dumps(ANNA), limit=1) == [ids[2]]
    first = lrs.get_params(agent=json.dumps(BEN), limit=1).get_json()
    assert [s["id"] for s in first["statements"]] == [ids[3]]
    second = lrs.client.get(first["more"], headers=lrs.headers()).get_json()
    assert [s["id"] for s in second["statements"]] == [ids[1]]
    assert second["more"] == ""
    assert lrs.ids(agent=json.dumps(ANNA), limit=1) == [ids[2]]
    assert lrs.ids(agent=json.dumps(ANNA), limit=2) == [ids[2], ids[0]]


def test_paging_with_more_returns_every_statement_once_newest_first(lrs):
    ids = lrs.post([stmt(context={"registration": str(uuid.uuid4())}) for _ in range(7)]).get_json()
    lrs.post(stmt(verb=OTHER_VERB))

    pages = []
    response = lrs.get_params(verb=VERB, limit=3)
    while True:
        body = response.get_json()
        pages.append([s["id"] for s in body["statements"]])
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?more=")
        response = lrs.client.get(body["more"], headers=lrs.headers())
        assert response.status_code == 200
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == list(reversed(ids))


def test_paging_ascending(lrs):
    ids = lrs.post([stmt() for _ in range(5)]).get_json()
    first = lrs.get_params(ascending="true", limit=2).get_json()
    assert [s["id"] for s in first["statements"]] == ids[:2]
    second = lrs.client.get(first["more"], headers=lrs.headers()).get_json()
    assert [s["id"] for s in second["statements"]] == ids[2:4]


def test_a_statement_stored_while_paging_does_not_shift_the_pages(lrs):
    ids = lrs.post([stmt() for _ in range(4)]).get_json()
    first = lrs.get_params(limit=2).get_json()
    lrs.post(stmt())
    second = lrs.client.get(first["more"], headers=lrs.headers()).get_json()
    assert [s["id"] for s in second["statements"]] == [ids[1], ids[0]]


def test_a_tampered_more_link_is_refused(lrs):
    lrs.post([stmt() for _ in range(3)])
    more = lrs.get_params(limit=1).get_json()["more"]
    assert lrs.client.get(more + "x", headers=lrs.headers()).status_code == 400
    assert lrs.get("more=abc&limit=1").status_code == 400


def test_limit_defaults_and_bounds(lrs):
    lrs.post([stmt() for _ in range(3)])
    assert len(lrs.ids(limit=0)) == 3
    assert lrs.get_params(limit=-1).status_code == 400
    assert lrs.get_params(limit="ten").status_code == 400
    assert lrs.get_params(limit=9999).status_code == 200


def test_an_empty_result_is_still_a_statement_result(lrs):
    response = lrs.get_params(verb=OTHER_VERB)
    assert response.status_code == 200
    assert response.get_json() == {"statements": [], "more": ""}


def test_format_ids_keeps_only_what_identifies(lrs):
    full = stmt(
        actor={"objectType": "Agent", "name": "Anna", **ANNA},
        verb=VERB,
        object={
            "id": ACTIVITY,
            "definition": {
                "name": {"en-GB": "SMART rules"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
    )
    full["verb"]["display"] = {"en-GB": "read"}
    [statement_id] = lrs.post(full).get_json()
    statement = lrs.get_params(statementId=statement_id, format="ids").get_json()
    assert statement["actor"] == {"objectType": "Agent", **ANNA}
    assert statement["verb"] == {"id": VERB}
    assert statement["object"] == {"id": ACTIVITY}
    exact = lrs.get_params(statementId=statement_id, format="exact").get_json()
    assert exact["actor"]["name"] == "Anna"
    assert exact["object"]["definition"]["name"] == {"en-GB": "SMART rules"}


def test_format_canonical_keeps_the_best_language_for_accept_language(lrs):
    statement = stmt(
        object={
            "id": ACTIVITY,
            "definition": {"name": {"en-GB": "Staying safe", "cy": "Cadw'n ddiogel"}},
        }
    )
    statement["verb"]["display"] = {"en-GB": "read", "cy": "darllenodd"}
    lrs.post(statement)
    response = lrs.get("format=canonical", **{"Accept-Language": "cy, en;q=0.5"})
    [got] = response.get_json()["statements"]
    assert got["object"]["definition"]["name"] == {"cy": "Cadw'n ddiogel"}
    assert got["verb"]["display"] == {"cy": "darllenodd"}
    response = lrs.get("format=canonical", **{"Accept-Language": "en"})
    assert response.get_json()["statements"][0]["verb"]["display"] == {"en-GB": "read"}


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("statementId=x", "statementId must be a UUID"),
        (f"statementId={uuid.uuid4()}&verb={VERB}", "can only be combined with format"),
        (f"statementId={uuid.uuid4()}&voidedStatementId={uuid.uuid4()}", "cannot be used together"),
        ("Verb=" + VERB, "did you mean verb"),
        ("agent=not-json", "agent must be an Agent"),
        ("agent=" + quote(json.dumps({"mbox": "anna@example.org"})), "agent.mbox must be"),
        (
            "agent=" + quote(json.dumps({"objectType": "Group", "member": [ANNA]})),
            "not an anonymous Group",
        ),
        ("verb=not%20an%20iri", "verb must be an IRI"),
        ("registration=abc", "registration must be a UUID"),
        ("ascending=yes", "ascending must be true or false"),
        ("format=full", "format must be ids, exact or canonical"),
        ("attachments=yes", "attachments must be true or false"),
    ],
)
def test_bad_queries_are_refused_with_the_reason(lrs, query, reason):
    response = lrs.get(query)
    assert response.status_code == 400
    assert reason in response.get_json()["message"]


def test_a_missing_statement_is_404(lrs):
    assert lrs.get_params(statementId=str(uuid.uuid4())).status_code == 404


def test_consistent_through_is_the_time_of_answering_and_last_modified_the_newest(lrs, db):
    record_statement(db, stmt(id=str(uuid.uuid4())), forward=False, stored_at=T0)
    newest = record_statement(
        db, stmt(id=str(uuid.uuid4())), forward=False, stored_at=T0 + timedelta(minutes=5)
    )
    db.commit()
    asked_at = utcnow().replace(microsecond=0)
    response = lrs.get_params(limit=1)
    # Not the newest statement's time (09:05), which an idle LRS would never move past.
    through = parse_timestamp(response.headers["X-Experience-API-Consistent-Through"])
    assert through >= asked_at
    assert response.headers["Last-Modified"] == "Mon, 03 Mar 2025 09:05:00 GMT"
    single = lrs.get_params(statementId=newest.statement_id)
    assert single.headers["Last-Modified"] == "Mon, 03 Mar 2025 09:05:00 GMT"
    assert parse_timestamp(single.headers["X-Experience-API-Consistent-Through"]) >= asked_at
    assert single.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("query", "status"), [("statementId=" + str(uuid.uuid4()), 404), ("verb=not-an-iri", 400)]
)
def test_consistent_through_is_sent_on_errors_too(lrs, query, status):
    response = lrs.get(query)
    assert response.status_code == status
    assert parse_timestamp(response.headers["X-Experience-API-Consistent-Through"])


# --- a signed-in learner ----------------------------------------------------------------------


@pytest.fixture
def two_learners(make, db):
    academy = make.academy("Resource Academy")
    pupil = make.user(Role.PUPIL, academy)
    other = make.user(Role.PUPIL, academy)
    recorded = {}
    for person in (pupil, other):
        statement = statements.statement_for(
            statements.LessonExperienced(
                course_id="smart-ks2", lesson_id="01-safe", lesson_title="Safe"
            ),
            statement_id=uuid.uuid4(),
            base_url=SITE,
            actor_name=person.xapi_id,
            timestamp=T0,
            registration=uuid.uuid4(),
        )
        recorded[person.id] = record_statement(db, statement, user_id=person.id, stored_at=T0)
    db.commit()
    return pupil, other, recorded


def session_get(client, query: str = ""):
    return client.get(
        "/xapi/statements" + (f"?{query}" if query else ""),
        headers={"X-Experience-API-Version": "1.0.3"},
    )


def test_a_signed_in_learner_reads_only_their_own_statements(client, two_learners):
    pupil, _other, recorded = two_learners
    client.login(pupil.username)
    response = session_get(client)
    assert response.status_code == 200
    assert [s["id"] for s in response.get_json()["statements"]] == [recorded[pupil.id].statement_id]
    mine = json.dumps({"account": {"homePage": SITE, "name": pupil.xapi_id}})
    assert session_get(client, "agent=" + quote(mine)).status_code == 200


def test_a_learner_cannot_ask_for_someone_elses_statements(client, two_learners):
    pupil, other, recorded = two_learners
    client.login(pupil.username)
    theirs = json.dumps({"account": {"homePage": SITE, "name": other.xapi_id}})
    assert session_get(client, "agent=" + quote(theirs)).status_code == 403
    assert session_get(client, f"statementId={recorded[other.id].statement_id}").status_code == 404
    assert session_get(client, f"statementId={recorded[pupil.id].statement_id}").status_code == 200


def test_a_signed_in_session_cannot_send_statements(client, two_learners, db):
    pupil, _other, _recorded = two_learners
    client.login(pupil.username)
    response = client.post(
        "/xapi/statements", json=stmt(), headers={"X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 403
    response = client.put(
        f"/xapi/statements?statementId={uuid.uuid4()}",
        json=stmt(),
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 403
    assert stored_count(db) == 2


def test_signed_out_the_statements_are_closed(client, two_learners):
    assert session_get(client).status_code == 401


# --- hostile bodies -----------------------------------------------------------------------------


def _raw(lrs, method: str, body: bytes, statement_id: str | None = None):
    url = "/xapi/statements" + (f"?statementId={statement_id}" if statement_id else "")
    return lrs.client.open(
        url, method=method, data=body, content_type="application/json", headers=lrs.headers()
    )


def _deep(levels: int) -> bytes:
    inner = json.dumps(stmt())[:-1] + ', "context": {"extensions": {"https://x.example/e": '
    return (inner + "[" * levels + "]" * levels + "}}}").encode()


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_body_nested_a_thousand_levels_deep_is_400_with_a_reason(lrs, db, method):
    statement_id = str(uuid.uuid4()) if method == "PUT" else None
    response = _raw(lrs, method, _deep(1000), statement_id)
    assert response.status_code == 400
    assert "nested" in response.get_json()["message"]
    # Far deeper than Python's recursion limit: still an answer, not a crash.
    response = _raw(lrs, method, _deep(100_000), statement_id)
    assert response.status_code == 400
    assert "nested" in response.get_json()["message"]
    assert stored_count(db) == 0


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("text", ["\\ud800", "\\udfff", "ok \\ud83d end"])
def test_a_lone_surrogate_in_a_string_is_400_with_a_reason(lrs, db, method, text):
    statement_id = str(uuid.uuid4()) if method == "PUT" else None
    body = json.dumps(stmt(result={"response": "PLACEHOLDER"})).replace("PLACEHOLDER", text)
    response = _raw(lrs, method, body.encode(), statement_id)
    assert response.status_code == 400
    assert "surrogate" in response.get_json()["message"]
    assert stored_count(db) == 0


def test_a_surrogate_pair_is_a_character_and_is_stored(lrs, db):
    body = json.dumps(stmt(result={"response": "PLACEHOLDER"})).replace(
        "PLACEHOLDER", "\\ud83d\\ude00"
    )
    response = _raw(lrs, "POST", body.encode())
    assert response.status_code == 200, response.get_json()
    assert stored_count(db) == 1


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_body_too_large_is_413_in_json(app, lrs, db, method):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    statement_id = str(uuid.uuid4()) if method == "PUT" else None
    padding = "x" * 20_000
    response = _raw(
        lrs, method, json.dumps(stmt(result={"response": padding})).encode(), statement_id
    )
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert "too large" in response.get_json()["message"]
    assert stored_count(db) == 0
