"""The built-in LRS's Activities and Agents resources: what its statements say about one
activity or one agent."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.xapi.test_resource import Lrs, issue, stmt

ACTIVITY = "https://example.org/activities/smart-1"
ANNA = {"mbox": "mailto:anna@example.org"}


@pytest.fixture
def lrs(client, db) -> Lrs:
    issued = issue(db)
    return Lrs(client, issued.key, issued.secret)


def get(lrs: Lrs, path: str, **params):
    query = urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()})
    return lrs.client.get(f"/xapi/{path}?{query}", headers=lrs.headers())


def with_definition(definition: dict, **extra) -> dict:
    return stmt(**extra) | {"object": {"id": ACTIVITY, "definition": definition}}


def test_an_activity_is_defined_by_the_statements_that_mention_it_newest_winning(lrs):
    first = {
        "name": {"en-GB": "Keeping safe", "cy": "Cadw'n ddiogel"},
        "type": "http://adlnet.gov/expapi/activities/lesson",
    }
    later = {
        "name": {"en-GB": "Keeping safe online"},
        "description": {"en-GB": "SMART rules"},
    }
    assert lrs.post([with_definition(first)]).status_code == 200
    assert lrs.post([with_definition(later)]).status_code == 200
    # An activity named only in the context counts too.
    parent = stmt(activity="https://example.org/activities/other") | {
        "context": {
            "contextActivities": {
                "parent": [{"id": ACTIVITY, "definition": {"moreInfo": "https://example.org/m"}}]
            }
        }
    }
    assert lrs.post(parent).status_code == 200

    response = get(lrs, "activities", activityId=ACTIVITY)
    assert response.status_code == 200
    assert response.get_json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"en-GB": "Keeping safe online", "cy": "Cadw'n ddiogel"},
            "description": {"en-GB": "SMART rules"},
            "type": "http://adlnet.gov/expapi/activities/lesson",
            "moreInfo": "https://example.org/m",
        },
    }


def test_an_activity_no_statement_mentions_is_just_its_id(lrs):
    response = get(lrs, "activities", activityId="https://example.org/activities/unseen")
    assert response.get_json() == {
        "objectType": "Activity",
        "id": "https://example.org/activities/unseen",
    }


def test_activities_needs_an_iri(lrs):
    assert get(lrs, "activities").status_code == 400
    response = get(lrs, "activities", activityId="lesson one")
    assert response.status_code == 400
    assert "IRI" in response.get_json()["message"]


def test_an_agent_is_a_person_with_its_identifier_and_the_names_statements_gave_it(lrs):
    lrs.post([stmt(actor={**ANNA, "name": "Anna"}), stmt(actor={**ANNA, "name": "Anna K"})])
    lrs.post(stmt(actor={"mbox": "mailto:ben@example.org", "name": "Ben"}))
    response = get(lrs, "agents", agent=ANNA)
    assert response.status_code == 200
    person = response.get_json()
    assert person["objectType"] == "Person"
    assert person["mbox"] == ["mailto:anna@example.org"]
    assert sorted(person["name"]) == ["Anna", "Anna K"]


def test_agents_needs_a_valid_agent(lrs):
    assert get(lrs, "agents").status_code == 400
    response = get(lrs, "agents", agent={"mbox": "anna@example.org"})
    assert response.status_code == 400
    assert "mailto" in response.get_json()["message"]


def test_both_need_read_scope(client, db):
    writer = issue(db, read=False, write=True, name="Writer")
    send_only = Lrs(client, writer.key, writer.secret)
    assert get(send_only, "activities", activityId=ACTIVITY).status_code == 403
    assert get(send_only, "agents", agent=ANNA).status_code == 403
