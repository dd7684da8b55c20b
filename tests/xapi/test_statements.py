"""The statement builders write valid, privacy-safe statements with the spec's response formats."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from elearn.xapi.builders import statements as xs
from elearn.xapi.builders.interactions import InteractionKind, format_response, interaction_kind
from elearn.xapi.builders.parts import make_activity
from elearn.xapi.builders.verbs import ATTEMPTED, ActivityType
from elearn.xapi.formats import format_duration
from elearn.xapi.validation import StatementInvalid, statements_equivalent, validate_statement

BASE = "https://school.example"
REGISTRATION = uuid.UUID("ec531277-b57b-4c15-8d91-d292c5b2b8f7")
WHEN = datetime(2024, 9, 1, 9, 30, 0, 250000, tzinfo=UTC)
COURSE = f"{BASE}/xapi/activities/course/smart-ks2"
QUIZ = f"{COURSE}/quiz"


def common(**changes: Any) -> dict:
    values = {
        "statement_id": uuid.UUID("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
        "base_url": BASE + "/",
        "actor_name": "p-1001",
        "timestamp": WHEN,
        "registration": REGISTRATION,
    }
    values.update(changes)
    return values


def lesson(**changes: Any) -> dict:
    return xs.statement_for(
        xs.LessonExperienced(
            course_id="smart-ks2",
            lesson_id="01-safe",
            lesson_title="Keep your personal information safe",
            duration=timedelta(minutes=4, seconds=12.5),
        ),
        **common(**changes),
    )


def attempted(**changes: Any) -> dict:
    return xs.statement_for(
        xs.QuizAttempted(course_id="smart-ks2", quiz_title="SMART quiz"), **common(**changes)
    )


def answered(**changes: Any) -> dict:
    kwargs = {
        "course_id": "smart-ks2",
        "question_id": "smart-ks2-address",
        "kind": "multichoice",
        "prompt": "Which of these is safe to share online?",
        "question_title": "Sharing",
        "response": "b",
        "success": True,
        "choices": [("a", "Your address"), ("b", "Your favourite colour"), ("c", "Your school")],
        "correct_responses": ["b"],
    }
    envelope = common()
    kwargs.update({k: changes.pop(k) for k in list(changes) if k not in envelope})
    return xs.statement_for(xs.QuestionAnswered(**kwargs), **common(**changes))


def result(**changes: Any) -> dict:
    passed = changes.pop("passed", True)
    raw = changes.pop("raw", 4)
    return xs.statement_for(
        xs.QuizFinished(
            course_id="smart-ks2", quiz_title="SMART quiz", raw=raw, max_score=5, passed=passed
        ),
        **common(**changes),
    )


def completed(**changes: Any) -> dict:
    return xs.statement_for(
        xs.CourseCompleted(course_id="smart-ks2", course_title="Be SMART online", success=True),
        **common(**changes),
    )


def signed_off(**changes: Any) -> dict:
    return xs.statement_for(
        xs.PolicySignedOff(
            policy_id="social-media",
            policy_version="2026.1",
            policy_title="Social media policy",
            declaration="I confirm that I have read and understood the social media policy.",
            course_id="policy-sign-off",
        ),
        **common(**changes),
    )


def voiding(**changes: Any) -> dict:
    values = common(**changes)
    del values["registration"]
    return xs.voiding(**values, voided_statement_id="9E13CEFD-53D3-4EAC-B5ED-2CF6693903BB")


BUILDERS = {
    "lesson_experienced": lesson,
    "quiz_attempted": attempted,
    "question_answered": answered,
    "quiz_result": result,
    "course_completed": completed,
    "policy_signed_off": signed_off,
    "voiding": voiding,
}
each_builder = pytest.mark.parametrize("build", BUILDERS.values(), ids=list(BUILDERS))


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")


@each_builder
def test_every_builder_writes_a_valid_json_statement(build):
    statement = build()
    assert validate_statement(statement) is statement
    assert json.loads(json.dumps(statement)) == statement


@each_builder
def test_the_actor_is_only_an_account_on_this_site(build):
    assert build()["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": BASE, "name": "p-1001"},
    }


@each_builder
def test_no_personal_name_or_email_appears_anywhere(build):
    for path, node in walk(build()):
        if isinstance(node, dict):
            assert not {"mbox", "mbox_sha1sum", "openid"} & node.keys(), path
            if "account" in node or node.get("objectType") in ("Agent", "Group"):
                assert "name" not in node, f"{path} carries a person's name"
        if isinstance(node, str):
            assert "@" not in node, f"{path} looks like an e-mail address: {node}"


@each_builder
def test_statements_carry_id_and_utc_millisecond_timestamp_but_no_version(build):
    statement = build()
    assert statement["id"] == "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
    assert statement["timestamp"] == "2024-09-01T09:30:00.250Z"
    # tincan would stamp "version": "1.0.3"; a provider must not claim anything but 1.0.0.
    assert "version" not in statement


@pytest.mark.parametrize(
    "build", [lesson, attempted, answered, result, signed_off], ids=lambda b: b.__name__
)
def test_learning_statements_carry_registration_parent_platform_and_language(build):
    context = build()["context"]
    assert context["registration"] == str(REGISTRATION)
    assert context["contextActivities"]["parent"]
    assert context["platform"] == "elearn"
    assert context["language"] == "en-GB"


@pytest.mark.parametrize("build", [lesson, attempted, result], ids=lambda b: b.__name__)
def test_course_activities_sit_under_the_course(build):
    parents = build()["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parents] == [COURSE]
    assert parents[0]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"


def test_a_question_sits_under_its_quiz_within_the_course():
    activities = answered()["context"]["contextActivities"]
    assert [p["id"] for p in activities["parent"]] == [QUIZ]
    assert [g["id"] for g in activities["grouping"]] == [COURSE]


def test_lesson_statement_names_the_lesson_and_its_reading_time():
    statement = lesson()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert statement["object"]["id"] == f"{COURSE}/lesson/01-safe"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert statement["object"]["definition"]["name"] == {
        "en-GB": "Keep your personal information safe"
    }
    assert statement["result"] == {"duration": "PT252.5S"}


def test_quiz_attempt_is_about_the_assessment():
    statement = attempted()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted"
    assert statement["object"]["id"] == QUIZ
    assert "result" not in statement


def test_question_answered_carries_the_interaction_and_the_marked_response():
    statement = answered()
    definition = statement["object"]["definition"]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert statement["object"]["id"] == f"{BASE}/xapi/activities/question/smart-ks2-address"
    assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert definition["interactionType"] == "choice"
    assert [c["id"] for c in definition["choices"]] == ["a", "b", "c"]
    assert definition["choices"][1]["description"] == {"en-GB": "Your favourite colour"}
    assert definition["correctResponsesPattern"] == ["b"]
    assert definition["description"] == {"en-GB": "Which of these is safe to share online?"}
    assert statement["result"] == {"success": True, "response": "b"}


def test_multiple_answer_choice_response_uses_the_list_delimiter():
    statement = answered(
        kind="multiresponse", response=["a", "c"], success=False, correct_responses=[("b", "c")]
    )
    assert statement["result"]["response"] == "a[,]c"
    assert statement["result"]["success"] is False
    assert statement["object"]["definition"]["correctResponsesPattern"] == ["b[,]c"]


def test_matching_question_lists_sources_targets_and_pairs():
    statement = answered(
        kind="matching",
        choices=(),
        source=[("0", "Name"), ("1", "Password")],
        target=[("keep", "Keep private"), ("share", "Fine to share")],
        response=[("0", "keep"), ("1", "keep")],
        correct_responses=[[("0", "keep"), ("1", "keep")]],
    )
    definition = statement["object"]["definition"]
    assert definition["interactionType"] == "matching"
    assert [s["id"] for s in definition["source"]] == ["0", "1"]
    assert [t["id"] for t in definition["target"]] == ["keep", "share"]
    assert "choices" not in definition
    assert statement["result"]["response"] == "0[.]keep[,]1[.]keep"
    assert definition["correctResponsesPattern"] == ["0[.]keep[,]1[.]keep"]


def test_true_false_and_numeric_and_essay_questions():
    tf = answered(kind="truefalse", choices=(), response=False, correct_responses=[True])
    assert tf["object"]["definition"]["interactionType"] == "true-false"
    assert tf["result"]["response"] == "false"
    assert tf["object"]["definition"]["correctResponsesPattern"] == ["true"]

    numeric = answered(kind="numerical", choices=(), response="3.50", correct_responses=[(3, 4)])
    assert numeric["object"]["definition"]["interactionType"] == "numeric"
    assert numeric["result"]["response"] == "3.5"
    assert numeric["object"]["definition"]["correctResponsesPattern"] == ["3[:]4"]

    essay = answered(
        kind="essay",
        choices=(),
        response="I would tell a teacher.",
        success=None,
        correct_responses=None,
    )
    assert essay["object"]["definition"]["interactionType"] == "long-fill-in"
    assert essay["result"] == {"response": "I would tell a teacher."}
    assert "correctResponsesPattern" not in essay["object"]["definition"]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("choice", "b", "b"),
        ("choice", ["a", "c"], "a[,]c"),
        ("choice", [], ""),
        ("true-false", True, "true"),
        ("true-false", False, "false"),
        ("fill-in", "Tell a trusted adult", "Tell a trusted adult"),
        ("fill-in", ["one", "two"], "one[,]two"),
        ("long-fill-in", "A longer answer.", "A longer answer."),
        ("matching", [("1", "a"), ("2", "b")], "1[.]a[,]2[.]b"),
        ("numeric", 3, "3"),
        ("numeric", -2.5, "-2.5"),
        ("numeric", 4.0, "4"),
        ("numeric", Decimal("2.50"), "2.5"),
        ("numeric", Decimal("1E+2"), "100"),
        ("numeric", " 7 ", "7"),
        ("numeric", (1, 5), "1[:]5"),
        ("numeric", (None, 4), "[:]4"),
        ("numeric", (0.5, None), "0.5[:]"),
        ("other", "(35.9,-86.8)", "(35.9,-86.8)"),
    ],
)
def test_responses_are_written_in_the_spec_format(kind, value, expected):
    assert format_response(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("true-false", "true", TypeError),
        ("numeric", True, TypeError),
        ("numeric", "three", ValueError),
        ("numeric", float("nan"), ValueError),
        ("choice", [1, 2], TypeError),
        ("other", 5, TypeError),
    ],
)
def test_responses_of_the_wrong_shape_are_refused(kind, value, error):
    with pytest.raises(error):
        format_response(kind, value)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("multichoice", InteractionKind.CHOICE),
        ("multiresponse", InteractionKind.CHOICE),
        ("truefalse", InteractionKind.TRUE_FALSE),
        ("shortanswer", InteractionKind.FILL_IN),
        ("numerical", InteractionKind.NUMERIC),
        ("matching", InteractionKind.MATCHING),
        ("essay", InteractionKind.LONG_FILL_IN),
        ("description", InteractionKind.OTHER),
        ("fill-in", InteractionKind.FILL_IN),
        (InteractionKind.NUMERIC, InteractionKind.NUMERIC),
    ],
)
def test_question_kinds_map_to_interaction_types(kind, expected):
    assert interaction_kind(kind) is expected


def test_a_missing_word_question_must_say_whether_it_is_choice_or_fill_in():
    with pytest.raises(ValueError, match="missingword"):
        interaction_kind("missingword")


def test_passed_quiz_result_carries_the_full_score():
    statement = result(raw=4)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert statement["object"]["id"] == QUIZ
    assert statement["result"]["score"] == {"raw": 4, "min": 0, "max": 5, "scaled": 0.8}
    assert statement["result"]["success"] is True
    assert statement["result"]["completion"] is True


def test_failed_quiz_result():
    statement = result(raw=2, passed=False)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert statement["result"]["success"] is False
    assert statement["result"]["score"]["scaled"] == 0.4


def test_a_score_outside_its_range_is_refused():
    with pytest.raises(ValueError, match="raw"):
        result(raw=6)


def test_course_completion_is_about_the_course_itself():
    statement = completed()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"]["id"] == COURSE
    assert statement["object"]["definition"]["name"] == {"en-GB": "Be SMART online"}
    assert statement["result"] == {"completion": True, "success": True}
    assert statement["context"]["registration"] == str(REGISTRATION)


def test_policy_sign_off_records_which_version_was_confirmed():
    statement = signed_off()
    policy = statement["object"]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert policy["id"] == f"{BASE}/xapi/activities/policy/social-media/version/2026.1"
    assert policy["definition"]["type"] == "http://id.tincanapi.com/activitytype/document"
    assert policy["definition"]["extensions"] == {
        f"{BASE}/xapi/extensions/policy-version": "2026.1"
    }
    assert "read and understood" in policy["definition"]["description"]["en-GB"]
    assert statement["result"] == {"success": True, "completion": True}
    parents = statement["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parents] == [f"{BASE}/xapi/activities/course/policy-sign-off"]


def test_signing_a_new_policy_version_is_a_different_activity():
    old = signed_off()
    new = xs.statement_for(
        xs.PolicySignedOff(
            policy_id="social-media",
            policy_version="2027.1",
            policy_title="Social media policy",
            declaration="I confirm.",
        ),
        **common(statement_id=uuid.uuid4()),
    )
    assert old["object"]["id"] != new["object"]["id"]
    assert "contextActivities" not in new["context"]


def test_voiding_refers_to_the_statement_and_carries_no_activity_context():
    statement = voiding()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
    assert statement["object"] == {
        "objectType": "StatementRef",
        "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb",
    }
    assert "context" not in statement


def test_timestamps_in_other_zones_are_written_in_utc():
    bst = timezone(timedelta(hours=1))
    statement = attempted(timestamp=datetime(2024, 9, 1, 10, 30, 0, 250999, tzinfo=bst))
    assert statement["timestamp"] == "2024-09-01T09:30:00.250Z"


def test_a_naive_timestamp_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        attempted(timestamp=datetime(2024, 9, 1, 9, 30))


def test_upper_case_and_string_ids_are_normalised():
    statement = attempted(
        statement_id="FD41C918-B88B-4B20-A0A5-A4C32391AAA0", registration=str(REGISTRATION).upper()
    )
    assert statement["id"] == "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
    assert statement["context"]["registration"] == str(REGISTRATION)


def test_ids_with_unsafe_characters_are_percent_encoded():
    statement = xs.statement_for(
        xs.LessonExperienced(course_id="smart ks2", lesson_id="01/safe", lesson_title="Safe"),
        **common(),
    )
    assert (
        statement["object"]["id"] == f"{BASE}/xapi/activities/course/smart%20ks2/lesson/01%2Fsafe"
    )


@pytest.mark.parametrize("base_url", ["school.example", "ftp://school.example", "https://"])
def test_a_bad_base_url_is_refused(base_url):
    with pytest.raises(ValueError, match="base_url"):
        attempted(base_url=base_url)


def test_an_empty_actor_id_is_refused():
    with pytest.raises(ValueError, match="actor_name"):
        attempted(actor_name="")


@each_builder
def test_building_the_same_event_twice_gives_an_equivalent_statement(build):
    assert statements_equivalent(build(), build())


def test_durations_are_written_to_the_hundredth_of_a_second():
    assert format_duration(timedelta(seconds=75)) == "PT75S"
    assert format_duration(timedelta(seconds=75, milliseconds=259)) == "PT75.25S"
    assert format_duration(timedelta(seconds=75, milliseconds=500)) == "PT75.5S"
    assert format_duration(timedelta(hours=2)) == "PT7200S"
    with pytest.raises(ValueError):
        format_duration(timedelta(seconds=-1))


# --- the cached activity parts ----------------------------------------------------------------
# The builders serialise a statement's activities once per set of inputs and reuse them; these
# pin the whole statement down, so that reuse can neither change nor share what a caller gets.

QUESTION = f"{BASE}/xapi/activities/question/smart-ks2-address"


def course_activity() -> dict:
    return {
        "id": COURSE,
        "objectType": "Activity",
        "definition": {"type": "http://adlnet.gov/expapi/activities/course"},
    }


def test_question_answered_is_exactly_the_statement_tincan_builds():
    assert answered() == {
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "actor": {"objectType": "Agent", "account": {"name": "p-1001", "homePage": BASE}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-GB": "answered"}},
        "object": {
            "id": QUESTION,
            "objectType": "Activity",
            "definition": {
                "name": {"en-GB": "Sharing"},
                "description": {"en-GB": "Which of these is safe to share online?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["b"],
                "choices": [
                    {"id": "a", "description": {"en-GB": "Your address"}},
                    {"id": "b", "description": {"en-GB": "Your favourite colour"}},
                    {"id": "c", "description": {"en-GB": "Your school"}},
                ],
            },
        },
        "result": {"success": True, "response": "b"},
        "context": {
            "registration": str(REGISTRATION),
            "platform": "elearn",
            "language": "en-GB",
            "contextActivities": {
                "parent": [
                    {
                        "id": QUIZ,
                        "objectType": "Activity",
                        "definition": {"type": "http://adlnet.gov/expapi/activities/assessment"},
                    }
                ],
                "grouping": [course_activity()],
            },
        },
        "timestamp": "2024-09-01T09:30:00.250Z",
    }


def test_a_quiz_result_is_exactly_this_statement():
    statement = result()
    assert statement == {
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "actor": {"objectType": "Agent", "account": {"name": "p-1001", "homePage": BASE}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-GB": "passed"}},
        "object": {
            "id": QUIZ,
            "objectType": "Activity",
            "definition": {
                "name": {"en-GB": "SMART quiz"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "result": {
            "score": {"scaled": 0.8, "raw": 4.0, "min": 0.0, "max": 5.0},
            "success": True,
            "completion": True,
        },
        "context": {
            "registration": str(REGISTRATION),
            "platform": "elearn",
            "language": "en-GB",
            "contextActivities": {"parent": [course_activity()]},
        },
        "timestamp": "2024-09-01T09:30:00.250Z",
    }
    # Every score is written as a float, as it always was.
    assert json.dumps(statement["result"]["score"]) == (
        '{"scaled": 0.8, "raw": 4.0, "min": 0.0, "max": 5.0}'
    )


def test_per_person_parts_change_while_the_activities_are_reused():
    first = answered()
    other = uuid.UUID("0b5f2e58-7c39-4b7e-9a55-9c2b7f0f4d11")
    second = answered(
        statement_id=other,
        actor_name="p-2002",
        registration=other,
        timestamp=WHEN + timedelta(seconds=1),
        response="a",
        success=False,
        duration=timedelta(seconds=9.5),
    )
    assert second["id"] == str(other)
    assert second["actor"]["account"]["name"] == "p-2002"
    assert second["context"]["registration"] == str(other)
    assert second["timestamp"] == "2024-09-01T09:30:01.250Z"
    assert second["result"] == {"success": False, "response": "a", "duration": "PT9.5S"}
    assert second["object"] == first["object"]
    assert second["context"]["contextActivities"] == first["context"]["contextActivities"]


def clobber(node: Any) -> None:
    """Change every container in a statement in place, as a careless caller might."""
    if isinstance(node, dict):
        for value in list(node.values()):
            clobber(value)
        node.clear()
        node["changed"] = True
    elif isinstance(node, list):
        for value in node:
            clobber(value)
        node.append("changed")


@each_builder
def test_changing_a_returned_statement_does_not_change_the_next(build):
    expected = json.loads(json.dumps(build()))
    clobber(build())
    assert build() == expected


PARTS_CACHES = [
    xs._lesson_parts,
    xs._quiz_parts,
    xs._question_parts,
    xs._course_parts,
    xs._policy_parts,
]


@each_builder
def test_a_reused_activity_gives_the_same_statement_as_a_fresh_one(build):
    for cached in PARTS_CACHES:
        cached.cache_clear()
    fresh = build()  # serialised and validated whole
    assert build() == fresh  # from the cache


def test_the_general_builder_gives_the_same_statement_as_the_cached_builders():
    course = make_activity(f"{BASE}/xapi/activities/course/smart-ks2", ActivityType.COURSE)
    quiz = make_activity(QUIZ, ActivityType.ASSESSMENT, "SMART quiz")
    statement = xs.build_statement(**common(), verb=ATTEMPTED, target=quiz, parents=[course])
    assert statement == attempted()


def test_an_invalid_activity_is_refused_every_time_not_only_when_first_built():
    for _ in range(2):
        with pytest.raises(StatementInvalid, match="repeats 'a'"):
            answered(choices=[("a", "Yes"), ("a", "No")], correct_responses=None)
