"""validate_statement accepts what the xAPI spec allows and names the property it refuses;
statements_equivalent tells a repeated statement from a conflicting one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from elearn.xapi.validation import StatementInvalid, statements_equivalent, validate_statement

SID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
OTHER = "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"
ACCOUNT = {"homePage": "https://school.example", "name": "p-1001"}
AGENT = {"objectType": "Agent", "account": ACCOUNT}


def statement(**changes: Any) -> dict:
    base = {
        "id": SID,
        "actor": copy.deepcopy(AGENT),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-GB": "read"}},
        "object": {"objectType": "Activity", "id": "https://school.example/xapi/activities/a"},
        "timestamp": "2024-09-01T09:30:00.000Z",
    }
    base.update(changes)
    return base


def changed(path: str, value: Any, base: dict | None = None) -> dict:
    """A copy of the base statement with ``path`` (dots, [n] for lists) set; ``...`` deletes."""
    result = copy.deepcopy(base or statement())
    *parents, last = path.replace("[", ".[").split(".")
    node: Any = result
    for part in parents:
        node = node[int(part[1:-1])] if part.startswith("[") else node.setdefault(part, {})
    key: Any = int(last[1:-1]) if last.startswith("[") else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return result


def interaction(kind: str, **definition: Any) -> dict:
    return statement(
        object={
            "id": "https://school.example/xapi/activities/question/q1",
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": kind,
                **definition,
            },
        }
    )


def components(*ids: str) -> list[dict]:
    return [{"id": cid, "description": {"en-GB": cid.upper()}} for cid in ids]


FULL = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {
        "objectType": "Group",
        "name": "Year 6 team",
        "mbox": "mailto:team@school.example",
        "member": [
            {"objectType": "Agent", "account": ACCOUNT},
            {"openid": "http://toby.openid.example.org/"},
            {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        ],
    },
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended"}},
    "result": {
        "extensions": {"https://school.example/xapi/extensions/room": None},
        "success": True,
        "completion": True,
        "response": "We agreed on some actions.",
        "duration": "PT1H0M0S",
        "score": {"scaled": -0.5, "raw": 2, "min": 0, "max": 8.5},
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {
            "parent": [{"id": "https://school.example/series/267", "objectType": "Activity"}],
            "grouping": [{"id": "https://school.example/course/1"}],
            "category": [
                {
                    "id": "https://school.example/categories/meeting",
                    "definition": {
                        "name": {"en": "team meeting"},
                        "type": "https://school.example/types/category",
                    },
                }
            ],
            "other": [{"id": "https://school.example/occasions/1"}],
        },
        "instructor": {"account": ACCOUNT},
        "team": {"objectType": "Group", "mbox": "mailto:teampb@school.example"},
        "platform": "Example virtual meeting software",
        "revision": "2",
        "language": "tlh",
        "statement": {"objectType": "StatementRef", "id": OTHER},
        "extensions": {"https://school.example/xapi/extensions/weather": {"wind": 3}},
    },
    "timestamp": "2013-05-18T05:32:34.804+01:00",
    "stored": "2013-05-18T05:32:34.804Z",
    "authority": {
        "objectType": "Agent",
        "account": {"homePage": "https://lrs.example", "name": "k"},
    },
    "version": "1.0.0",
    "object": {
        "id": "https://school.example/meetings/34534",
        "objectType": "Activity",
        "definition": {
            "extensions": {"https://school.example/xapi/extensions/room": {"name": "Kilby"}},
            "name": {"en-GB": "example meeting", "en-US": "example meeting"},
            "description": {"en-GB": "A meeting."},
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "moreInfo": "https://virtualmeeting.example.com/345256",
        },
    },
    "attachments": [
        {
            "usageType": "http://adlnet.gov/expapi/attachments/signature",
            "display": {"en-GB": "Signature"},
            "description": {"en-GB": "A signature"},
            "contentType": "application/octet-stream",
            "length": 4235,
            "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
            "fileUrl": "https://school.example/files/signature",
        }
    ],
}


VALID = {
    "minimal statement (no id, no timestamp)": {
        "actor": {"mbox": "mailto:xapi@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/created"},
        "object": {"id": "http://example.org/xapi/example/activity"},
    },
    "every property in use": FULL,
    "actor by mbox_sha1sum": statement(
        actor={"mbox_sha1sum": "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"}
    ),
    "actor by openid": statement(actor={"openid": "https://id.example.org/u/1"}),
    "anonymous group actor": statement(
        actor={"objectType": "Group", "member": [{"account": ACCOUNT}]}
    ),
    "identified group without members": statement(
        actor={"objectType": "Group", "account": {"homePage": "https://x.example", "name": "g"}}
    ),
    "agent as object": statement(object={"objectType": "Agent", "mbox": "mailto:a@example.org"}),
    "group as object": statement(
        object={"objectType": "Group", "openid": "https://id.example.org/g", "member": []}
    ),
    "statement reference as object": statement(
        verb={"id": "https://school.example/verbs/commented"},
        object={"objectType": "StatementRef", "id": OTHER},
    ),
    "sub-statement as object": statement(
        object={
            "objectType": "SubStatement",
            "actor": AGENT,
            "verb": {"id": "http://example.com/visited", "display": {"en": "will visit"}},
            "object": {"objectType": "StatementRef", "id": OTHER},
            "result": {"success": False},
            "context": {"language": "en"},
            "timestamp": "2099-01-01T00:00:00Z",
        }
    ),
    "voiding statement": statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-GB": "voided"}},
        object={"objectType": "StatementRef", "id": OTHER},
    ),
    "choice interaction": interaction(
        "choice", choices=components("a", "b", "c"), correctResponsesPattern=["a[,]c"]
    ),
    "sequencing interaction": interaction("sequencing", choices=components("x", "y")),
    "likert interaction": interaction("likert", scale=components("1", "2", "3")),
    "matching interaction": interaction(
        "matching",
        source=components("cat", "dog"),
        target=components("meow", "woof"),
        correctResponsesPattern=["cat[.]meow[,]dog[.]woof"],
    ),
    "performance interaction": interaction("performance", steps=components("s1", "s2")),
    "true-false interaction": interaction("true-false", correctResponsesPattern=["true"]),
    "fill-in with no right answer": interaction("fill-in", correctResponsesPattern=[]),
    "long-fill-in interaction": interaction("long-fill-in"),
    "numeric interaction": interaction("numeric", correctResponsesPattern=["4[:]"]),
    "other interaction": interaction("other", correctResponsesPattern=["(35.937432,-86.868896)"]),
    "a single activity as a context activity (the 0.95 form)": statement(
        context={"contextActivities": {"parent": {"id": "https://school.example/c"}}}
    ),
    "xAPI 2.0 context agents and groups": statement(
        version="2.0.0",
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:teacher@school.example"},
                    "relevantTypes": ["https://school.example/types/teacher"],
                }
            ],
            "contextGroups": [
                {"objectType": "contextGroup", "group": {"objectType": "Group", "member": [AGENT]}}
            ],
        },
    ),
    "ISO 8601 basic timestamp": statement(timestamp="20240901T093000Z"),
    "timestamp at UTC written as a positive zero offset": statement(
        timestamp="2024-09-01T09:30:00+00:00"
    ),
    "timestamp west of UTC": statement(timestamp="2024-09-01T05:30:00-04:00"),
    "version without its patch number": statement(version="1.0"),
    "OAuth authority: an anonymous Group of the consumer and the user": statement(
        authority={
            "objectType": "Group",
            "member": [
                {"account": {"homePage": "https://lrs.example/oauth", "name": "consumer"}},
                {"mbox": "mailto:teacher@school.example"},
            ],
        }
    ),
    "timestamp with nanoseconds and an offset": statement(
        timestamp="2024-09-01T10:30:00.123456789+01:00"
    ),
    "duration in weeks": statement(result={"duration": "P4W"}),
    "duration in seconds with a fraction": statement(result={"duration": "PT1234.56S"}),
    "grandfathered language tag": statement(
        verb={"id": "http://x.example/v", "display": {"i-klingon": "x"}}
    ),
    "null inside extensions": statement(
        context={"extensions": {"https://school.example/ext/x": {"a": None}}}
    ),
}


@pytest.mark.parametrize("example", VALID.values(), ids=list(VALID))
def test_valid_statements_pass_unchanged(example):
    original = copy.deepcopy(example)
    assert validate_statement(example) is example
    assert example == original


S = statement()
SUB = statement(
    object={
        "objectType": "SubStatement",
        "actor": AGENT,
        "verb": {"id": "http://example.com/planned"},
        "object": {"id": "https://school.example/a"},
    }
)
VOID = statement(
    verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
    object={"objectType": "StatementRef", "id": OTHER},
)
ATTACHED = statement(attachments=copy.deepcopy(FULL["attachments"]))
CHOICE = interaction("choice", choices=components("a", "b"))

INVALID = [
    # shape
    ([1, 2], "statement must be a JSON object"),
    (statement(colour="blue"), "colour is not an allowed property"),
    (statement(Actor=AGENT), "Actor is not an allowed property (did you mean actor?)"),
    (changed("actor.account.email", "x"), "actor.account.email is not an allowed property"),
    (changed("actor", ...), "actor is required"),
    (changed("verb", ...), "verb is required"),
    (changed("object", ...), "object is required"),
    (statement(result={"success": None}), "result.success must not be null"),
    (changed("verb.display", ["en"]), "verb.display must be a language map"),
    # id
    (changed("id", "12345"), "id must be a UUID"),
    (changed("id", ""), "id must be a UUID"),
    # agents and their identifiers
    (
        changed("actor.mbox", "mailto:a@example.org"),
        "actor must have exactly one inverse functional identifier, not mbox, account",
    ),
    (statement(actor={"name": "Someone"}), "actor must have an inverse functional identifier"),
    (statement(actor={"mbox": "a@example.org"}), "actor.mbox must be a mailto IRI"),
    (statement(actor={"mbox_sha1sum": "abc"}), "actor.mbox_sha1sum must be 40 hexadecimal"),
    (statement(actor={"openid": "not an iri"}), "actor.openid must be an IRI"),
    (changed("actor.account.homePage", "school.example"), "actor.account.homePage must be an IRI"),
    (changed("actor.account.homePage", "http:///nohost"), "actor.account.homePage must be an IRL"),
    (changed("actor.account.name", ...), "actor.account.name is required"),
    (changed("actor.account.name", ""), "actor.account.name must be a non-empty string"),
    (changed("actor.objectType", "Person"), "actor.objectType must be Agent or Group"),
    (changed("actor.objectType", "agent"), "actor.objectType must be Agent or Group"),
    (changed("actor.name", 7), "actor.name must be a string"),
    # groups
    (statement(actor={"objectType": "Group"}), "actor.member is required for an anonymous Group"),
    (
        statement(actor={"objectType": "Group", "member": []}),
        "actor.member must list at least one Agent",
    ),
    (
        statement(
            actor={"objectType": "Group", "member": [{"objectType": "Group", "member": [AGENT]}]}
        ),
        "actor.member[0] must be an Agent, not a Group",
    ),
    (
        statement(actor={"objectType": "Group", "member": [{"mbox": "bad"}]}),
        "actor.member[0].mbox must be a mailto IRI",
    ),
    (
        statement(actor={"objectType": "Group", "mbox": "mailto:g@x.org", "openid": "https://g"}),
        "actor must have exactly one inverse functional identifier",
    ),
    # verb
    (changed("verb.id", "experienced"), "verb.id must be an IRI"),
    (changed("verb.id", ""), "verb.id must be an IRI"),
    (changed("verb.display", {"en_GB": "read"}), "verb.display has 'en_GB', which is not an RFC"),
    (changed("verb.display", {"en-GB": 3}), "verb.display.en-GB must be a string"),
    # activities and definitions
    (changed("object.id", "lesson-1"), "object.id must be an IRI"),
    (changed("object.id", "https://school.example/has space"), "object.id must be an IRI"),
    (changed("object.objectType", "Lesson"), "object.objectType must be Activity, Agent, Group"),
    (changed("object.objectType", "activity"), "object.objectType must be Activity"),
    (statement(object={"mbox": "mailto:a@example.org"}), "object.objectType is required"),
    (changed("object.definition.name", "Lesson"), "object.definition.name must be a language map"),
    (changed("object.definition.type", "lesson"), "object.definition.type must be an IRI"),
    (
        changed("object.definition.moreInfo", "www.x.org"),
        "object.definition.moreInfo must be an IRL",
    ),
    (
        changed("object.definition.extensions", {"colour": "blue"}),
        "object.definition.extensions has the key 'colour', which is not an IRI",
    ),
    (interaction("multiple-choice"), "object.definition.interactionType must be one of"),
    (interaction("Choice"), "object.definition.interactionType must be one of"),
    (
        interaction("true-false", choices=components("a")),
        "object.definition.choices is not allowed for interactionType true-false",
    ),
    (
        interaction("matching", choices=components("a")),
        "object.definition.choices is not allowed for interactionType matching",
    ),
    (
        changed("object.definition.interactionType", ..., CHOICE),
        "object.definition.choices needs an interactionType",
    ),
    (
        changed("object.definition.choices", components("a", "a"), CHOICE),
        "object.definition.choices[1].id repeats 'a'",
    ),
    (changed("object.definition.choices[0].id", "", CHOICE), "choices[0].id must be a non-empty"),
    (
        changed("object.definition.choices[0].colour", "red", CHOICE),
        "object.definition.choices[0].colour is not an allowed property",
    ),
    (
        interaction("choice", correctResponsesPattern=[1]),
        "object.definition.correctResponsesPattern[0] must be a string",
    ),
    (
        interaction("choice", correctResponsesPattern="a"),
        "object.definition.correctResponsesPattern must be a JSON array",
    ),
    # statement references and sub-statements
    (
        statement(object={"objectType": "StatementRef", "id": "not-a-uuid"}),
        "object.id must be a UUID",
    ),
    (changed("object.id", SID, SUB), "object.id is not allowed in a SubStatement"),
    (changed("object.stored", "2024-01-01T00:00:00Z", SUB), "object.stored is not allowed"),
    (changed("object.version", "1.0.0", SUB), "object.version is not allowed in a SubStatement"),
    (changed("object.authority", AGENT, SUB), "object.authority is not allowed in a SubStatement"),
    (
        changed("object.object", copy.deepcopy(SUB["object"]), SUB),
        "object.object must not be a SubStatement inside a SubStatement",
    ),
    (changed("object.actor.mbox", "mailto:a@b.org", SUB), "object.actor must have exactly one"),
    # voiding
    (
        changed("object", {"id": "https://school.example/a"}, VOID),
        "object must be a StatementRef when the verb is voided",
    ),
    # result
    (statement(result={"score": {"scaled": 1.5}}), "result.score.scaled must be between -1 and 1"),
    (
        statement(result={"score": {"scaled": -1.01}}),
        "result.score.scaled must be between -1 and 1",
    ),
    (statement(result={"score": {"raw": 11, "max": 10}}), "result.score.raw must not be above max"),
    (statement(result={"score": {"raw": -1, "min": 0}}), "result.score.raw must not be below min"),
    (statement(result={"score": {"min": 5, "max": 5}}), "result.score.min must be less than max"),
    (statement(result={"score": {"raw": "5"}}), "result.score.raw must be a number"),
    (statement(result={"score": {"raw": True}}), "result.score.raw must be a number"),
    (statement(result={"score": {"grade": "A"}}), "result.score.grade is not an allowed property"),
    (statement(result={"success": "true"}), "result.success must be true or false"),
    (statement(result={"completion": 1}), "result.completion must be true or false"),
    (statement(result={"response": 5}), "result.response must be a string"),
    (statement(result={"duration": "75 seconds"}), "result.duration must be an ISO 8601 duration"),
    (statement(result={"duration": "PT"}), "result.duration must be an ISO 8601 duration"),
    (statement(result={"duration": "P1DT"}), "result.duration must be an ISO 8601 duration"),
    (statement(result={"duration": "PT00:01:15"}), "result.duration must be an ISO 8601 duration"),
    (statement(result={"duration": 75}), "result.duration must be an ISO 8601 duration"),
    # context
    (statement(context={"registration": "abc"}), "context.registration must be a UUID"),
    (
        changed("context", {"platform": "elearn"}, VOID),
        "context.platform may only be used when the statement's object is an Activity",
    ),
    (
        changed("context", {"revision": "2"}, VOID),
        "context.revision may only be used when the statement's object is an Activity",
    ),
    (
        statement(context={"contextActivities": {"parent": "https://school.example/c"}}),
        "context.contextActivities.parent must be an Activity or a list of Activities",
    ),
    (
        statement(context={"contextActivities": {"sibling": []}}),
        "context.contextActivities.sibling is not an allowed property",
    ),
    (
        statement(context={"contextActivities": {"parent": [{"id": "course-1"}]}}),
        "context.contextActivities.parent[0].id must be an IRI",
    ),
    (
        statement(context={"instructor": {"mbox": "mailto:a@b.org", "openid": "https://o"}}),
        "context.instructor must have exactly one inverse functional identifier",
    ),
    (statement(context={"team": AGENT}), "context.team must be a Group"),
    (
        statement(context={"statement": {"objectType": "Activity", "id": OTHER}}),
        "context.statement.objectType must be StatementRef",
    ),
    (statement(context={"language": "english_UK"}), "context.language must be an RFC 5646"),
    (
        statement(context={"contextAgents": [{"objectType": "agent", "agent": AGENT}]}),
        "context.contextAgents[0].objectType must be contextAgent",
    ),
    (
        statement(
            context={
                "contextAgents": [
                    {"objectType": "contextAgent", "agent": AGENT, "relevantTypes": []}
                ]
            }
        ),
        "context.contextAgents[0].relevantTypes must list at least one IRI",
    ),
    (
        statement(
            context={
                "contextAgents": [
                    {"objectType": "contextAgent", "agent": AGENT, "relevantTypes": ["abc"]}
                ]
            }
        ),
        "context.contextAgents[0].relevantTypes[0] must be an IRI",
    ),
    (
        statement(context={"contextGroups": [{"objectType": "contextGroup", "group": AGENT}]}),
        "context.contextGroups[0].group must be a Group",
    ),
    # timestamps and version
    (
        changed("timestamp", "2024-09-01T09:30:00"),
        "timestamp must be an ISO 8601 timestamp with a time zone",
    ),
    (changed("timestamp", "2024-02-30T09:30:00Z"), "timestamp must be an ISO 8601 timestamp"),
    (changed("timestamp", "1st September 2024"), "timestamp must be an ISO 8601 timestamp"),
    (changed("timestamp", 1725183000), "timestamp must be an ISO 8601 timestamp"),
    (statement(stored="2024-09-01 09:30:00Z"), "stored must be an ISO 8601 timestamp"),
    (statement(version="1.1.0"), "version must be 1.0.x or 2.0.x"),
    (statement(version="3.0.0"), "version must be 1.0.x or 2.0.x"),
    (statement(version="1.1"), "version must be 1.0.x or 2.0.x"),
    # A negative zero offset means the local offset is unknown (RFC 3339).
    (changed("timestamp", "2024-09-01T09:30:00-00"), "timestamp must be an ISO 8601 timestamp"),
    (changed("timestamp", "2024-09-01T09:30:00-0000"), "timestamp must be an ISO 8601 timestamp"),
    (changed("timestamp", "2024-09-01T09:30:00-00:00"), "timestamp must be an ISO 8601 timestamp"),
    (statement(stored="2024-09-01T09:30:00-00:00"), "stored must be an ISO 8601 timestamp"),
    (statement(authority={"name": "LRS"}), "authority must have an inverse functional identifier"),
    (
        statement(
            authority={"objectType": "Group", "mbox": "mailto:staff@school.example", "member": []}
        ),
        "authority must be an Agent or an anonymous Group, not an identified Group",
    ),
    (
        statement(
            authority={
                "objectType": "Group",
                "member": [AGENT, {"mbox": "mailto:a@school.example"}, {"openid": "https://o.x/b"}],
            }
        ),
        "authority.member must list exactly two Agents",
    ),
    # attachments
    (
        changed("attachments[0].usageType", "signature", ATTACHED),
        "attachments[0].usageType must be an IRI",
    ),
    (changed("attachments[0].display", ..., ATTACHED), "attachments[0].display is required"),
    (
        changed("attachments[0].contentType", "pdf", ATTACHED),
        "attachments[0].contentType must be an Internet media type",
    ),
    (
        changed("attachments[0].length", -1, ATTACHED),
        "attachments[0].length must be a whole number",
    ),
    (
        changed("attachments[0].length", "10", ATTACHED),
        "attachments[0].length must be a whole number",
    ),
    (
        changed("attachments[0].sha2", "abc", ATTACHED),
        "attachments[0].sha2 must be a hexadecimal SHA-2",
    ),
    (
        changed("attachments[0].fileUrl", "files/x", ATTACHED),
        "attachments[0].fileUrl must be an IRL",
    ),
    (statement(attachments={}), "attachments must be a JSON array"),
]


@pytest.mark.parametrize(("example", "reason"), INVALID, ids=[r for _, r in INVALID])
def test_invalid_statements_are_refused_with_the_property_named(example, reason):
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(example)
    assert reason in caught.value.reason
    assert str(caught.value) == caught.value.reason


def test_statement_invalid_is_a_value_error_so_callers_can_treat_it_as_bad_input():
    with pytest.raises(ValueError, match="statement must be a JSON object"):
        validate_statement("not a statement")


# --- statement comparison: same id, same content is a no-op; different content is a conflict ---


def test_a_statement_is_equivalent_to_itself_and_to_a_copy():
    assert statements_equivalent(FULL, copy.deepcopy(FULL))


SAME = {
    "LRS-set stored, authority and version": (
        {},
        {
            "stored": "2030-01-01T00:00:00Z",
            "authority": {"account": {"homePage": "https://other.example", "name": "x"}},
            "version": "1.0.3",
        },
    ),
    "timestamp in another zone": (
        {"timestamp": "2024-09-01T09:30:00.000Z"},
        {"timestamp": "2024-09-01T10:30:00+01:00"},
    ),
    "timestamp rounded to the millisecond": (
        {"timestamp": "2024-09-01T09:30:00.1235Z"},
        {"timestamp": "2024-09-01T09:30:00.124Z"},
    ),
    "timestamp filled in by the LRS": ({"timestamp": ...}, {}),
    "id filled in by the LRS": ({"id": ...}, {}),
    "upper-case id": ({}, {"id": SID.upper()}),
    "verb display": ({}, {"verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}}),
    "activity definition": (
        {},
        {
            "object": {
                "id": "https://school.example/xapi/activities/a",
                "definition": {"name": {"en": "x"}},
            }
        },
    ),
    "activity objectType left out": (
        {},
        {"object": {"id": "https://school.example/xapi/activities/a"}},
    ),
    "agent objectType left out": ({}, {"actor": {"account": ACCOUNT}}),
    "domain case of an e-mail address": (
        {"actor": {"mbox": "mailto:Jo@School.Example"}},
        {"actor": {"mbox": "mailto:Jo@school.example"}},
    ),
    "order of group members": (
        {"actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@x.org"}, AGENT]}},
        {"actor": {"objectType": "Group", "member": [AGENT, {"mbox": "mailto:a@x.org"}]}},
    ),
    "single context activity returned as a list": (
        {"context": {"contextActivities": {"parent": {"id": "https://x.example/c"}}}},
        {"context": {"contextActivities": {"parent": [{"id": "https://x.example/c"}]}}},
    ),
    "registration letter case": (
        {"context": {"registration": "EC531277-B57B-4C15-8D91-D292C5B2B8F7"}},
        {"context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"}},
    ),
    "duration beyond hundredths": (
        {"result": {"duration": "PT1.234S"}},
        {"result": {"duration": "PT1.23S"}},
    ),
    "integer and decimal score": (
        {"result": {"score": {"raw": 4}}},
        {"result": {"score": {"raw": 4.0}}},
    ),
    "attachments": ({}, {"attachments": copy.deepcopy(FULL["attachments"])}),
}

DIFFERENT = {
    "verb": ({}, {"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}),
    "object": ({}, {"object": {"id": "https://school.example/xapi/activities/b"}}),
    "actor": ({}, {"actor": {"account": {**ACCOUNT, "name": "p-1002"}}}),
    "actor name": ({}, {"actor": {**AGENT, "name": "Jo"}}),
    "local part case of an e-mail address": (
        {"actor": {"mbox": "mailto:Jo@school.example"}},
        {"actor": {"mbox": "mailto:jo@school.example"}},
    ),
    "timestamp a second apart": ({}, {"timestamp": "2024-09-01T09:30:01.000Z"}),
    "result success": ({"result": {"success": True}}, {"result": {"success": False}}),
    "result added": ({}, {"result": {"completion": True}}),
    "true is not 1": (
        {"result": {"extensions": {"https://x/e": True}}},
        {"result": {"extensions": {"https://x/e": 1}}},
    ),
    "duration hundredths": ({"result": {"duration": "PT1.2S"}}, {"result": {"duration": "PT1.3S"}}),
    "registration": (
        {"context": {"registration": SID}},
        {"context": {"registration": OTHER}},
    ),
    "context activity": (
        {"context": {"contextActivities": {"parent": [{"id": "https://x.example/c"}]}}},
        {"context": {"contextActivities": {"parent": [{"id": "https://x.example/d"}]}}},
    ),
    "id": ({}, {"id": OTHER}),
}


def _pair(left: dict, right: dict) -> tuple[dict, dict]:
    a, b = statement(), statement()
    for target, changes in ((a, left), (b, right)):
        for key, value in changes.items():
            if value is ...:
                target.pop(key, None)
            else:
                target[key] = value
    return a, b


@pytest.mark.parametrize(("left", "right"), SAME.values(), ids=list(SAME))
def test_differences_the_lrs_may_cause_are_ignored(left, right):
    a, b = _pair(left, right)
    assert statements_equivalent(a, b)
    assert statements_equivalent(b, a)


@pytest.mark.parametrize(("left", "right"), DIFFERENT.values(), ids=list(DIFFERENT))
def test_any_other_difference_is_a_conflict(left, right):
    a, b = _pair(left, right)
    assert not statements_equivalent(a, b)
    assert not statements_equivalent(b, a)


def test_sub_statement_timestamps_compare_as_instants():
    a = copy.deepcopy(VALID["sub-statement as object"])
    b = copy.deepcopy(a)
    b["object"]["timestamp"] = "2099-01-01T01:00:00+01:00"
    assert statements_equivalent(a, b)
    b["object"]["timestamp"] = "2099-01-02T00:00:00Z"
    assert not statements_equivalent(a, b)


def test_nesting_is_counted_outside_strings_only():
    from elearn.xapi.lrs.ingest import nesting_depth

    assert nesting_depth('{"a": [1, {"b": []}]}') == 4
    # Brackets and escaped quotes inside strings are text, not structure.
    assert nesting_depth('{"a": "[[[[{{{{ \\" ]]]"}') == 1
    assert nesting_depth("[" * 5000 + "]" * 5000) == 5000
