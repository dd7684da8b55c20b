"""The Statement resource's finer xAPI 1.0.3 and 2.0 rules, as a conformance checker tries them."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest

from elearn.xapi.lrs.alternate_syntax import FORM
from tests.xapi.test_resource import ACTIVITY, ANNA, BEN, Lrs, issue, stmt, stored_count

COURSE = "https://example.org/courses/online-safety"
UNIT = "https://example.org/units/passwords"


@pytest.fixture
def credential(db):
    return issue(db)


def speaking(client, credential, version: str | None) -> Lrs:
    return Lrs(client, credential.key, credential.secret, version=version)


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_a_single_context_activity_comes_back_as_a_list(client, credential, db, version):
    lrs = speaking(client, credential, version)
    context = {"contextActivities": {"parent": {"id": COURSE}, "grouping": [{"id": UNIT}]}}
    inner = {
        "objectType": "SubStatement",
        **stmt(actor=BEN, context={"contextActivities": {"category": {"id": UNIT}}}),
    }
    sent = [stmt(context=context), stmt(object=inner)]
    first, second = lrs.post(sent).get_json()

    got = lrs.get_params(statementId=first).get_json()
    assert got["context"]["contextActivities"] == {
        "parent": [{"id": COURSE}],
        "grouping": [{"id": UNIT}],
    }
    listed = lrs.get_params(statementId=second).get_json()
    assert listed["object"]["context"]["contextActivities"] == {"category": [{"id": UNIT}]}
    canonical = lrs.get_params(statementId=first, format="canonical").get_json()
    assert canonical["context"]["contextActivities"]["parent"] == [{"id": COURSE}]
    # Sending the single form again is the same statement, not a conflict.
    again = stmt(id=first, context=context)
    assert lrs.post(again).status_code == 200
    assert stored_count(db) == 2


def test_format_ids_gives_an_activity_by_its_id_alone(client, credential):
    lrs = speaking(client, credential, "2.0.0")
    activity = {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"en-GB": "Strong passwords"}},
    }
    statement = stmt(object=activity, context={"contextActivities": {"parent": [activity]}})
    [statement_id] = lrs.post(statement).get_json()
    got = lrs.get_params(statementId=statement_id, format="ids").get_json()
    assert got["object"] == {"id": ACTIVITY}
    assert got["context"]["contextActivities"]["parent"] == [{"id": ACTIVITY}]
    assert lrs.get_params(statementId=statement_id).get_json()["object"] == activity


def test_a_2_0_batch_repeating_an_id_is_refused_even_when_the_statements_agree(
    client, credential, db
):
    statement_id = str(uuid.uuid4())
    batch = [stmt(id=statement_id), stmt(id=statement_id)]
    response = speaking(client, credential, "2.0.0").post(batch)
    assert response.status_code == 400
    assert f"same id {statement_id}" in response.get_json()["message"]
    assert stored_count(db) == 0
    # 1.0.3 allowed the same statement twice in one batch: it is stored once.
    response = speaking(client, credential, "1.0.3").post(batch)
    assert response.get_json() == [statement_id, statement_id]
    assert stored_count(db) == 1


@pytest.mark.parametrize("offset", ["-00", "-0000", "-00:00"])
def test_a_timestamp_with_a_negative_zero_offset_is_refused(client, credential, db, offset):
    lrs = speaking(client, credential, "2.0.0")
    response = lrs.post(stmt(timestamp=f"2025-03-03T09:00:00{offset}"))
    assert response.status_code == 400
    assert "timestamp must be an ISO 8601 timestamp" in response.get_json()["message"]
    assert stored_count(db) == 0
    assert lrs.post(stmt(timestamp="2025-03-03T09:00:00+00:00")).status_code == 200


def test_a_statement_of_version_1_0_is_accepted_as_1_0_x(client, credential):
    lrs = speaking(client, credential, "1.0.3")
    [statement_id] = lrs.post(stmt(version="1.0")).get_json()
    assert lrs.get_params(statementId=statement_id).get_json()["version"] == "1.0"


@pytest.mark.parametrize(
    ("authority", "status"),
    [
        # What OAuth records: the consumer and the user, as an anonymous Group of two.
        ({"objectType": "Group", "member": [ANNA, BEN]}, 200),
        ({"objectType": "Group", "mbox": "mailto:staff@example.org", "member": [ANNA, BEN]}, 400),
        ({"objectType": "Group", "member": [ANNA, BEN, {"mbox": "mailto:c@example.org"}]}, 400),
    ],
)
def test_an_authority_group_must_be_the_oauth_pair(client, credential, db, authority, status):
    response = speaking(client, credential, "2.0.0").post(stmt(authority=authority))
    assert response.status_code == status, response.get_json()
    assert stored_count(db) == (1 if status == 200 else 0)


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_a_request_without_a_version_is_answered_in_the_version_the_client_speaks(
    client, credential, version
):
    statement_id = str(uuid.uuid4())
    assert speaking(client, credential, version).put(statement_id, stmt()).status_code == 204
    silent = speaking(client, credential, None)
    for response in (
        silent.get_params(statementId=statement_id),
        silent.post(stmt()),
        silent.put(str(uuid.uuid4()), stmt()),
    ):
        assert response.status_code == 400
        assert response.headers["X-Experience-API-Version"] == version


# --- the alternate request syntax (1.0.3) -----------------------------------------------------


def form_post(client, method: str, form: dict, *, query: str = "", headers: dict | None = None):
    url = f"/xapi/statements?method={method}" + (f"&{query}" if query else "")
    # Encoded here: the test client would add the site's CSRF field to a dict of form data.
    return client.post(url, data=urlencode(form), content_type=FORM, headers=headers or {})


def test_a_1_0_3_form_post_stands_for_a_put_with_its_headers_in_the_form(client, credential, db):
    lrs = speaking(client, credential, "1.0.3")
    statement_id = str(uuid.uuid4())
    form = {
        "statementId": statement_id,
        "content": json.dumps(stmt()),
        "Authorization": lrs.auth,
        "X-Experience-API-Version": "1.0.3",
    }
    response = form_post(client, "PUT", form)
    assert response.status_code == 204, response.get_json()
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert lrs.get_params(statementId=statement_id).get_json()["actor"] == ANNA
    assert stored_count(db) == 1


def test_a_1_0_3_form_post_stands_for_a_get(client, credential):
    lrs = speaking(client, credential, "1.0.3")
    first, _second = lrs.post([stmt(), stmt(actor=BEN)]).get_json()
    response = form_post(client, "GET", {"limit": "1"}, headers=lrs.headers())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert len(body["statements"]) == 1
    assert body["more"]
    assert "X-Experience-API-Consistent-Through" in response.headers
    lookup = form_post(client, "GET", {"statementId": first}, headers=lrs.headers())
    assert lookup.get_json()["id"] == first


@pytest.mark.parametrize(
    ("method", "form", "query", "reason"),
    [
        ("PUT", {"content": "{}"}, "statementId=" + str(uuid.uuid4()), "goes in the form body"),
        ("PATCH", {"content": "{}"}, "", "method must be one of"),
        ("PUT", {"X-Experience-API-Version": "0.8"}, "", "only part of xAPI 1.0.x"),
    ],
)
def test_a_malformed_form_post_is_refused(client, credential, db, method, form, query, reason):
    lrs = speaking(client, credential, "1.0.3")
    response = form_post(client, method, form, query=query, headers=lrs.headers())
    assert response.status_code == 400
    assert reason in response.get_json()["message"]
    assert stored_count(db) == 0


def test_a_form_post_must_be_form_encoded(client, credential, db):
    lrs = speaking(client, credential, "1.0.3")
    response = client.post(
        "/xapi/statements?method=PUT",
        data=json.dumps({"statementId": str(uuid.uuid4()), "content": json.dumps(stmt())}),
        headers=lrs.headers(**{"Content-Type": "application/json"}),
    )
    assert response.status_code == 400
    assert "must be a form" in response.get_json()["message"]
    assert stored_count(db) == 0


def test_xapi_2_0_refuses_the_alternate_syntax(client, credential, db):
    lrs = speaking(client, credential, "2.0.0")
    form = {"statementId": str(uuid.uuid4()), "content": json.dumps(stmt())}
    response = form_post(client, "PUT", form, headers=lrs.headers())
    assert response.status_code == 400
    assert "only part of xAPI 1.0.x" in response.get_json()["message"]
    assert response.headers["X-Experience-API-Version"] == "2.0.0"
    assert stored_count(db) == 0


def test_the_alternate_syntax_reaches_every_resource_of_the_lrs(client):
    # The About resource stands for the document resources here: the rewrite happens before
    # routing, so each resource gets the request the form stands for.
    response = client.post(
        "/xapi/about?method=GET",
        data=urlencode({"X-Experience-API-Version": "1.0.3"}),
        content_type=FORM,
    )
    assert response.status_code == 200
    assert response.get_json()["version"] == ["1.0.3", "2.0.0"]
    put = client.post(
        "/xapi/about?method=PUT",
        data=urlencode({"X-Experience-API-Version": "1.0.3"}),
        content_type=FORM,
    )
    assert put.status_code == 400
    assert "does not take method=PUT" in put.get_json()["message"]
