"""Loading and checking authored content: the objects built and every error's file and line."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from elearn.auth.roles import Role, StaffKind
from elearn.catalog.errors import ContentError, ContentInvalid
from elearn.catalog.loader import check_content, load_catalog

SMART_YAML = """\
id: smart-ks2
version: 2
title: Be SMART online
summary: Short lessons about staying safe online.
audience:
  roles: [pupil]
  year_groups: [3, 4, 5, 6]
lessons:
  - 01-safe
  - 02-meeting
quiz:
  bank: smart-ks2
  questions: 2
  categories:
    safe: 1
    meeting: 1
  pass_mark: 80
  attempts: null
  feedback: immediate
"""
# Line numbers in SMART_YAML that the error tests point at.
SMART_LINES = {"roles": 6, "year_groups": 7, "lesson1": 9, "lesson2": 10, "quiz": 11}

STAFF_YAML = """\
id: staff-induction
version: 1
title: Staff induction
summary: What the policy asks of you.
audience:
  roles: [staff, dsl, head]
  exempt_staff_kinds: [volunteer]
lessons:
  - 01-what-counts
recurrence:
  kind: induction
  due_days_after_start: 28
"""

REFRESHER_YAML = """\
id: refresher
version: 1
title: Annual refresher
summary: Every year.
audience:
  roles: [staff, admin]
lessons:
  - 01-update
recurrence:
  kind: recurring
  due_days_after_start: 28
  valid_months: 12
  window_days: 60
  expiry_from: previous_expiry
policy:
  version: "2026.1"
  statement: I have read and understood the policy.
"""

PARENT_YAML = """\
id: parents
version: 1
title: For parents
summary: At home.
audience:
  roles: [parent]
lessons:
  - 01-home
"""

SMART_BANK = """\
$CATEGORY: safe

// [id:smart-ks2-safe-address]
::Your address::Should you share your home address in a game chat? {
=No, keep it private #Right: it tells strangers where you live.
~Yes, if they are friendly #No. Friendly strangers are still strangers.
####Keep your personal information safe.
}

$CATEGORY: meeting

// [id:smart-ks2-meeting-friend]
::Meeting up::An online friend asks to meet you at the park. What should you do? {
=Tell a trusted adult
~Go on your own
~Keep it a secret
}
"""


def lesson(title: str, body: str = "## Start\n\nSome text.\n", extra: str = "") -> str:
    return f"---\ntitle: {title}\nminutes: 5\n{extra}---\n{body}"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "courses/smart-ks2.yaml", SMART_YAML)
    write(
        tmp_path,
        "content/smart-ks2/01-safe.md",
        lesson(
            "Keep safe",
            "## Your details\n\nNever share your **address**.\n\n![A padlock](lock.png)\n",
            extra="key_points:\n  - Keep it private.\n  - Tell an adult.\n",
        ),
    )
    (tmp_path / "content/smart-ks2/lock.png").write_bytes(b"\x89PNG\r\n")
    write(tmp_path, "content/smart-ks2/02-meeting.md", lesson("Meeting"))
    write(tmp_path, "quizzes/smart-ks2.gift", SMART_BANK)
    write(tmp_path, "courses/staff-induction.yaml", STAFF_YAML)
    write(tmp_path, "content/staff-induction/01-what-counts.md", lesson("What counts"))
    write(tmp_path, "courses/refresher.yaml", REFRESHER_YAML)
    write(tmp_path, "content/refresher/01-update.md", lesson("Update"))
    write(tmp_path, "courses/parents.yaml", PARENT_YAML)
    write(tmp_path, "content/parents/01-home.md", lesson("At home"))
    return tmp_path


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def find(errors: list[ContentError], path: str, line: int, fragment: str) -> ContentError:
    """The one error at path:line whose message contains fragment; fails with all errors shown."""
    matches = [e for e in errors if e.path == path and e.line == line and fragment in e.message]
    shown = "\n".join(str(e) for e in errors) or "(no errors)"
    assert matches, f"expected {path}:{line}: ...{fragment}... among:\n{shown}"
    return matches[0]


# --- a valid tree -------------------------------------------------------------------------


def test_valid_tree_loads_every_course_in_file_name_order(root: Path) -> None:
    catalog = load_catalog(root)

    assert catalog.errors == ()
    assert catalog.rejected == {}
    assert [c.id for c in catalog.courses] == [
        "parents",
        "refresher",
        "smart-ks2",
        "staff-induction",
    ]


def test_course_fields_come_from_the_yaml(root: Path) -> None:
    course = load_catalog(root).course("smart-ks2")

    assert course is not None
    assert course.version == 2
    assert course.title == "Be SMART online"
    assert course.summary == "Short lessons about staying safe online."
    assert course.path == "courses/smart-ks2.yaml"
    assert course.audience.roles == (Role.PUPIL,)
    assert course.audience.year_groups == (3, 4, 5, 6)
    assert course.audience.exempt_staff_kinds == ()
    assert course.quiz is not None
    assert course.quiz.bank == "smart-ks2"
    assert course.quiz.questions == 2
    assert course.quiz.categories == {"safe": 1, "meeting": 1}
    assert course.quiz.pass_mark == 80
    assert course.quiz.attempts is None
    assert course.quiz.feedback == "immediate"
    assert course.quiz.shuffle_answers is True
    assert course.quiz.time_limit_minutes is None
    assert course.recurrence is None
    assert course.policy is None


def test_lessons_keep_their_listed_order_and_positions(root: Path) -> None:
    course = load_catalog(root).course("smart-ks2")

    assert course is not None
    assert [(le.id, le.position) for le in course.lessons] == [("01-safe", 1), ("02-meeting", 2)]
    first = course.lessons[0]
    assert first.course_id == "smart-ks2"
    assert first.title == "Keep safe"
    assert first.minutes == 5
    assert first.key_points == ("Keep it private.", "Tell an adult.")
    assert first.body.startswith("## Your details")
    assert first.path == "content/smart-ks2/01-safe.md"
    raw = (root / "content/smart-ks2/01-safe.md").read_bytes()
    assert first.digest == hashlib.sha256(raw).hexdigest()
    assert course.minutes == 10


def test_lesson_order_follows_the_course_not_the_file_names(root: Path) -> None:
    edit(
        root,
        "courses/smart-ks2.yaml",
        "  - 01-safe\n  - 02-meeting\n",
        "  - 02-meeting\n  - 01-safe\n",
    )

    course = load_catalog(root).course("smart-ks2")

    assert course is not None
    assert [(le.id, le.position) for le in course.lessons] == [("02-meeting", 1), ("01-safe", 2)]


def test_course_holds_the_whole_question_bank(root: Path) -> None:
    course = load_catalog(root).course("smart-ks2")

    assert course is not None
    assert [q.id for q in course.questions] == [
        "smart-ks2-safe-address",
        "smart-ks2-meeting-friend",
    ]
    assert [q.category for q in course.questions] == ["safe", "meeting"]


def test_recurrence_and_policy_are_loaded(root: Path) -> None:
    catalog = load_catalog(root)
    induction = catalog.course("staff-induction")
    refresher = catalog.course("refresher")

    assert induction is not None and refresher is not None
    assert induction.recurrence is not None
    assert induction.recurrence.kind == "induction"
    assert induction.recurrence.due_days_after_start == 28
    assert induction.recurrence.valid_months is None
    assert induction.questions == ()
    assert refresher.recurrence is not None
    assert refresher.recurrence.valid_months == 12
    assert refresher.recurrence.window_days == 60
    assert refresher.recurrence.expiry_from == "previous_expiry"
    assert refresher.policy is not None
    assert refresher.policy.version == "2026.1"
    assert refresher.policy.statement == "I have read and understood the policy."


def test_lookups_by_id(root: Path) -> None:
    catalog = load_catalog(root)

    found = catalog.lesson("smart-ks2", "02-meeting")
    assert found is not None and found.title == "Meeting"
    assert catalog.lesson("smart-ks2", "09-nothing") is None
    assert catalog.lesson("no-such-course", "01-safe") is None
    assert catalog.course("no-such-course") is None


def test_loaded_objects_cannot_be_changed(root: Path) -> None:
    course = load_catalog(root).course("smart-ks2")

    assert course is not None
    with pytest.raises(AttributeError):
        course.title = "Changed"  # type: ignore[misc]
    with pytest.raises(ValueError):
        course.audience.roles = ()  # type: ignore[misc]
    # Frozen all the way down, so a course can be a set member or a cache key.
    assert len({course, load_catalog(root).course("smart-ks2")}) == 1


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "year_group", "staff_kind", "expected"),
    [
        (Role.PUPIL, 4, None, ["smart-ks2"]),
        (Role.PUPIL, 6, None, ["smart-ks2"]),
        (Role.PUPIL, 2, None, []),
        (Role.PUPIL, 8, None, []),
        # A pupil whose year group is not recorded is not filtered by year.
        (Role.PUPIL, None, None, ["smart-ks2"]),
        (Role.PARENT, None, None, ["parents"]),
        (Role.STAFF, None, StaffKind.TEACHER, ["refresher", "staff-induction"]),
        # Exemption is about compliance only: a volunteer can still see and take the course.
        (Role.STAFF, None, StaffKind.VOLUNTEER, ["refresher", "staff-induction"]),
        (Role.DSL, None, None, ["staff-induction"]),
        (Role.HEAD, None, None, ["staff-induction"]),
        # Admins see only the courses that name admin, not everything.
        (Role.ADMIN, None, None, ["refresher"]),
        ("pupil", 3, None, ["smart-ks2"]),
    ],
)
def test_courses_for_role_and_year_group(root, role, year_group, staff_kind, expected) -> None:
    catalog = load_catalog(root)

    shown = catalog.courses_for(role, year_group=year_group, staff_kind=staff_kind)

    assert [c.id for c in shown] == expected


def test_audience_includes_and_exemption(root: Path) -> None:
    catalog = load_catalog(root)
    induction = catalog.course("staff-induction")
    smart = catalog.course("smart-ks2")
    assert induction is not None and smart is not None

    assert induction.audience.includes(Role.STAFF, None, StaffKind.VOLUNTEER)
    assert induction.audience.is_exempt(StaffKind.VOLUNTEER)
    assert induction.audience.is_exempt("volunteer")
    assert not induction.audience.is_exempt(StaffKind.TEACHER)
    assert not induction.audience.is_exempt(None)
    assert not induction.audience.includes(Role.PARENT, None, None)
    assert smart.audience.includes(Role.PUPIL, 5, None)
    assert not smart.audience.includes(Role.PUPIL, 7, None)
    assert not smart.audience.includes(Role.STAFF, None, StaffKind.TEACHER)
    assert not smart.audience.includes("not-a-role", 5, None)


# --- YAML and schema errors ---------------------------------------------------------------


def test_yaml_syntax_error_reports_pyyaml_line(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "  - 02-meeting\n", "  - 02-meeting\n  bad: [unclosed\n")

    errors = check_content(root)

    find(errors, "courses/smart-ks2.yaml", 11, "YAML syntax error")


def test_unknown_top_level_key_names_the_key_and_what_is_allowed(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "version: 2\n", "version: 2\ncolour: red\n")

    error = find(check_content(root), "courses/smart-ks2.yaml", 3, "unknown key 'colour'")

    assert (
        "id, version, title, summary, audience, lessons, quiz, recurrence, policy" in error.message
    )


def test_unknown_nested_key_points_at_that_key(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "  pass_mark: 80\n", "  pass_mark: 80\n  passmark: 70\n")

    error = find(check_content(root), "courses/smart-ks2.yaml", 18, "unknown key 'quiz.passmark'")

    assert "pass_mark" in error.message and "shuffle_answers" in error.message


def test_role_typo_is_named_with_the_roles_allowed(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "roles: [pupil]", "roles: [pupils]")

    find(
        check_content(root),
        "courses/smart-ks2.yaml",
        SMART_LINES["roles"],
        "unknown role 'pupils' (expected one of: pupil, parent, staff, dsl, head, admin)",
    )


def test_roles_in_block_list_point_at_the_item(root: Path) -> None:
    edit(
        root,
        "courses/staff-induction.yaml",
        "roles: [staff, dsl, head]",
        "roles:\n    - staff\n    - DSL",
    )

    find(check_content(root), "courses/staff-induction.yaml", 8, "unknown role 'DSL'")


def test_staff_kind_and_year_group_typos(root: Path) -> None:
    edit(root, "courses/staff-induction.yaml", "[volunteer]", "[volunteers]")
    edit(root, "courses/smart-ks2.yaml", "[3, 4, 5, 6]", "[3, 4, 5, 16]")

    errors = check_content(root)

    find(errors, "courses/staff-induction.yaml", 7, "unknown staff kind 'volunteers'")
    find(errors, "courses/smart-ks2.yaml", SMART_LINES["year_groups"], "year group 16")


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("version: 2", "version: two", 2, "version: must be a whole number (got 'two')"),
        ("version: 2", "version: 0", 2, "version: must be greater than 0"),
        (
            "  pass_mark: 80",
            "  pass_mark: 180",
            17,
            "quiz.pass_mark: must be less than or equal to 100",
        ),
        ("  attempts: null", "  attempts: '3'", 18, "quiz.attempts: must be a whole number"),
        ("  feedback: immediate", "  feedback: later", 19, "quiz.feedback: must be 'immediate' or"),
        ("  questions: 2", "  questions: [2]", 13, "quiz.questions: must be a whole number"),
        ("title: Be SMART online", "title: ''", 3, "title: must not be empty"),
        ("  - 02-meeting", "  - Meeting", 10, "'Meeting' is not a valid lesson id"),
        ("  bank: smart-ks2", "  bank: ../secret", 12, "is not a valid id"),
        ("  year_groups: [3, 4, 5, 6]\n", "", 6, "year_groups is required"),
        (
            "  roles: [pupil]\n  year_groups: [3, 4, 5, 6]\n",
            "",
            5,
            "audience: must be a set of keys (got nothing)",
        ),
        (
            "  feedback: immediate",
            "  feedback: immediate\n  shuffle_answers: 'yes'",
            20,
            "must be true or false (got 'yes')",
        ),
    ],
)
def test_wrong_values_point_at_their_line(root, old, new, line, fragment) -> None:
    edit(root, "courses/smart-ks2.yaml", old, new)

    find(check_content(root), "courses/smart-ks2.yaml", line, fragment)


def test_missing_required_key_points_at_the_mapping_that_lacks_it(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "title: Be SMART online\n", "")
    edit(root, "courses/smart-ks2.yaml", "  pass_mark: 80\n", "")

    errors = check_content(root)

    find(errors, "courses/smart-ks2.yaml", 1, "missing required key 'title'")
    find(errors, "courses/smart-ks2.yaml", 10, "missing required key 'quiz.pass_mark'")


def test_duplicate_yaml_key_is_reported(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "version: 2\n", "version: 2\nversion: 3\n")

    find(check_content(root), "courses/smart-ks2.yaml", 3, "duplicate key 'version'")


def test_file_that_is_not_a_mapping(root: Path) -> None:
    write(root, "courses/parents.yaml", "- just\n- a list\n")

    find(check_content(root), "courses/parents.yaml", 1, "must be a set of keys")


def test_year_groups_belong_only_with_pupils(root: Path) -> None:
    edit(root, "courses/parents.yaml", "roles: [parent]\n", "roles: [parent]\n  year_groups: [5]\n")
    edit(root, "courses/smart-ks2.yaml", "  year_groups: [3, 4, 5, 6]\n", "")

    errors = check_content(root)

    find(
        errors,
        "courses/parents.yaml",
        7,
        "year_groups is only for courses whose roles include pupil",
    )
    find(errors, "courses/smart-ks2.yaml", SMART_LINES["roles"], "year_groups is required")


def test_recurrence_fields_must_fit_the_kind(root: Path) -> None:
    edit(
        root,
        "courses/staff-induction.yaml",
        "due_days_after_start: 28\n",
        "due_days_after_start: 28\n  valid_months: 12\n",
    )
    edit(root, "courses/refresher.yaml", "  window_days: 60\n", "")

    errors = check_content(root)

    find(errors, "courses/staff-induction.yaml", 13, "valid_months only apply to kind: recurring")
    find(errors, "courses/refresher.yaml", 10, "kind: recurring also needs window_days")


def test_recurrence_needs_a_staff_audience(root: Path) -> None:
    edit(
        root,
        "courses/parents.yaml",
        "lessons:",
        "recurrence:\n  kind: induction\n  due_days_after_start: 5\nlessons:",
    )

    find(check_content(root), "courses/parents.yaml", 7, "no staff role")


def test_unquoted_policy_version_is_explained(root: Path) -> None:
    edit(root, "courses/refresher.yaml", 'version: "2026.1"', "version: 2026.1")

    find(
        check_content(root),
        "courses/refresher.yaml",
        16,
        'put it in quotes, e.g. version: "2026.1"',
    )


def test_categories_must_add_up_to_questions(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "    meeting: 1\n", "    meeting: 2\n")

    find(
        check_content(root),
        "courses/smart-ks2.yaml",
        14,
        "categories ask for 3 questions in all but questions is 2",
    )


def test_id_must_match_file_name(root: Path) -> None:
    edit(root, "courses/parents.yaml", "id: parents", "id: parent-guide")

    find(check_content(root), "courses/parents.yaml", 1, "does not match the file name")


def test_duplicate_course_id_rejects_the_copy_and_keeps_the_original(root: Path) -> None:
    write(root, "courses/smart-copy.yaml", SMART_YAML)
    write(root, "content/smart-copy/01-safe.md", lesson("Copy"))
    write(root, "content/smart-copy/02-meeting.md", lesson("Copy"))

    catalog = load_catalog(root)
    errors = list(catalog.errors)

    find(
        errors,
        "courses/smart-copy.yaml",
        1,
        "duplicate course id 'smart-ks2' (also in courses/smart-ks2.yaml)",
    )
    find(errors, "courses/smart-copy.yaml", 1, "does not match the file name")
    assert "smart-copy" in catalog.rejected
    assert catalog.course("smart-ks2") is not None


def test_yml_extension_is_reported(root: Path) -> None:
    write(root, "courses/extra.yml", PARENT_YAML)

    find(check_content(root), "courses/extra.yml", 1, "must end in .yaml")


# --- lessons ------------------------------------------------------------------------------


def test_listed_lesson_without_a_file(root: Path) -> None:
    (root / "content/smart-ks2/02-meeting.md").unlink()

    find(
        check_content(root),
        "courses/smart-ks2.yaml",
        SMART_LINES["lesson2"],
        "unknown lesson '02-meeting': no file content/smart-ks2/02-meeting.md",
    )


def test_lesson_file_not_listed_is_an_error(root: Path) -> None:
    write(root, "content/smart-ks2/03-extra.md", lesson("Extra"))

    catalog = load_catalog(root)

    find(list(catalog.errors), "content/smart-ks2/03-extra.md", 1, "is not listed under lessons:")
    assert catalog.course("smart-ks2") is None


def test_lesson_listed_twice(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "  - 02-meeting\n", "  - 02-meeting\n  - 01-safe\n")

    find(
        check_content(root),
        "courses/smart-ks2.yaml",
        11,
        "lesson '01-safe' is listed twice (first on line 9)",
    )


def test_lesson_in_a_folder_with_no_course(root: Path) -> None:
    write(root, "content/ghost/01-boo.md", lesson("Boo"))

    find(check_content(root), "content/ghost/01-boo.md", 1, "there is no courses/ghost.yaml")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("## No front matter\n", 1, "missing front matter"),
        ("---\ntitle: Open\nminutes: 5\n## Body\n", 1, "front matter is never closed"),
        (
            "---\ntitle: T\nminutes: 5\nauthor: Me\n---\nBody\n",
            4,
            "unknown key 'author' (allowed here: title, minutes, key_points, illustration, "
            "illustration_alt, smart_letter)",
        ),
        ("---\ntitle: T\nminutes: 0\n---\nBody\n", 3, "minutes: must be greater than 0"),
        (
            "---\ntitle: T\nminutes: five\n---\nBody\n",
            3,
            "minutes: must be a whole number (got 'five')",
        ),
        ("---\nminutes: 5\n---\nBody\n", 2, "missing required key 'title'"),
        (
            "---\ntitle: T\nminutes: 5\nkey_points:\n  - fine\n  - [nested]\n---\nBody\n",
            6,
            "key_points[1]: must be text",
        ),
        ("---\ntitle: [unclosed\nminutes: 5\n---\nBody\n", 3, "YAML syntax error"),
        ("---\n---\nBody\n", 2, "the front matter must be a set of keys"),
        ("---\ntitle: T\nminutes: 5\n---\n\n\n", 4, "the lesson has no text"),
        ("---\ntitle: T\nminutes: 5\n---\n\n# Big heading\n", 6, "use '##' for headings"),
        ("---\ntitle: T\nminutes: 5\n---\nText\n\n![](lock.png)\n", 7, "has no alt text"),
        (
            "---\ntitle: T\nminutes: 5\n---\nText\n![A map](map.png)\n",
            6,
            "image 'map.png' not found",
        ),
        (
            "---\ntitle: T\nminutes: 5\n---\n[sheet](../other/sheet.pdf)\n",
            5,
            "outside the lesson's folder",
        ),
    ],
)
def test_bad_lesson_files_report_lines_inside_the_markdown(root, text, line, fragment) -> None:
    write(root, "content/smart-ks2/02-meeting.md", text)

    catalog = load_catalog(root)

    find(list(catalog.errors), "content/smart-ks2/02-meeting.md", line, fragment)
    assert catalog.course("smart-ks2") is None


def test_headings_and_images_inside_code_blocks_are_not_checked(root: Path) -> None:
    write(
        root,
        "content/smart-ks2/02-meeting.md",
        lesson(
            "Meeting",
            "## Code\n\n```\n# a comment\n![](missing.png)\n```\n\n[web](https://example.com)\n",
        ),
    )

    assert check_content(root) == []


# --- quizzes ------------------------------------------------------------------------------


def test_unknown_bank(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "  bank: smart-ks2", "  bank: smart-ks9")

    find(
        check_content(root),
        "courses/smart-ks2.yaml",
        12,
        "unknown bank 'smart-ks9': no file quizzes/smart-ks9.gift",
    )


def test_category_missing_from_the_bank(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "    meeting: 1", "    meting: 1")

    error = find(
        check_content(root),
        "courses/smart-ks2.yaml",
        16,
        "category 'meting' is not in quizzes/smart-ks2.gift",
    )

    assert "meeting, safe" in error.message


def test_category_asking_for_more_than_it_holds(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "  questions: 2\n", "  questions: 3\n")
    edit(root, "courses/smart-ks2.yaml", "    safe: 1", "    safe: 2")

    errors = check_content(root)

    find(
        errors,
        "courses/smart-ks2.yaml",
        15,
        "category 'safe' asks for 2 questions but quizzes/smart-ks2.gift has only 1",
    )
    find(
        errors,
        "courses/smart-ks2.yaml",
        13,
        "asks for 3 questions but quizzes/smart-ks2.gift holds only 2",
    )


def test_more_questions_than_the_bank_holds(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "  categories:\n    safe: 1\n    meeting: 1\n", "")
    edit(root, "courses/smart-ks2.yaml", "  questions: 2\n", "  questions: 5\n")

    find(
        check_content(root),
        "courses/smart-ks2.yaml",
        13,
        "asks for 5 questions but quizzes/smart-ks2.gift holds only 2",
    )


def test_duplicate_question_ids_within_a_bank(root: Path) -> None:
    edit(
        root,
        "quizzes/smart-ks2.gift",
        "[id:smart-ks2-meeting-friend]",
        "[id:smart-ks2-safe-address]",
    )

    catalog = load_catalog(root)

    errors = [e for e in catalog.errors if e.path == "quizzes/smart-ks2.gift"]
    assert errors, "a repeated question id must be reported"
    assert any("smart-ks2-safe-address" in e.message and e.line in (12, 13) for e in errors), errors
    assert catalog.course("smart-ks2") is None


def test_gift_errors_from_the_parser_reject_the_course(root: Path) -> None:
    # Every answer is wrong, so the question can never be answered correctly.
    edit(root, "quizzes/smart-ks2.gift", "=Tell a trusted adult", "~Tell a trusted adult")

    catalog = load_catalog(root)

    bank_errors = [e for e in catalog.errors if e.path == "quizzes/smart-ks2.gift"]
    assert bank_errors, "a question with no correct answer must be reported"
    assert all(12 <= e.line <= 17 for e in bank_errors), bank_errors
    assert "smart-ks2" in catalog.rejected
    assert catalog.course("smart-ks2") is None


# --- many errors, rejection and logging ---------------------------------------------------


def test_every_error_is_reported_not_just_the_first(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "version: 2", "version: two")
    edit(root, "courses/smart-ks2.yaml", "roles: [pupil]", "roles: [pupils]")
    edit(root, "courses/smart-ks2.yaml", "  pass_mark: 80", "  pass_mark: 0")
    write(root, "content/smart-ks2/02-meeting.md", "---\ntitle: T\nminutes: -1\n---\nBody\n")
    write(root, "content/staff-induction/01-what-counts.md", "no front matter\n")

    errors = check_content(root)

    assert [str(e).split(": ", 1)[0] for e in errors] == [
        "content/smart-ks2/02-meeting.md:3",
        "content/staff-induction/01-what-counts.md:1",
        "courses/smart-ks2.yaml:2",
        "courses/smart-ks2.yaml:6",
        "courses/smart-ks2.yaml:17",
    ]
    assert errors == sorted(errors)


def test_invalid_course_is_left_out_and_valid_ones_are_served(root: Path, caplog) -> None:
    edit(root, "courses/smart-ks2.yaml", "roles: [pupil]", "roles: [pupils]")
    (root / "content/staff-induction/01-what-counts.md").unlink()

    with caplog.at_level(logging.WARNING, logger="elearn.catalog"):
        catalog = load_catalog(root)

    assert [c.id for c in catalog.courses] == ["parents", "refresher"]
    assert set(catalog.rejected) == {"smart-ks2", "staff-induction"}
    assert [str(e) for e in catalog.rejected["staff-induction"]] == [
        "courses/staff-induction.yaml:9: unknown lesson '01-what-counts': "
        "no file content/staff-induction/01-what-counts.md"
    ]
    assert catalog.courses_for(Role.PUPIL, 4) == []
    logged = [
        r for r in caplog.records if r.name == "elearn.catalog" and r.levelno == logging.WARNING
    ]
    assert len(logged) == len(catalog.errors) == 2
    assert (
        "courses/smart-ks2.yaml:6:" in logged[1].getMessage()
        or "courses/smart-ks2.yaml:6:" in logged[0].getMessage()
    )


def test_check_content_matches_the_catalogue_errors(root: Path) -> None:
    write(root, "content/smart-ks2/03-extra.md", lesson("Extra"))

    assert check_content(root) == list(load_catalog(root).errors)


def test_strict_loading_raises_with_every_error(root: Path) -> None:
    edit(root, "courses/smart-ks2.yaml", "version: 2", "version: two")
    (root / "content/parents/01-home.md").unlink()

    with pytest.raises(ContentInvalid) as raised:
        load_catalog(root, strict=True)

    assert [(e.path, e.line) for e in raised.value.errors] == [
        ("courses/parents.yaml", 8),
        ("courses/smart-ks2.yaml", 2),
    ]
    assert "courses/smart-ks2.yaml:2: version: must be a whole number" in str(raised.value)


def test_strict_loading_of_valid_content_serves_everything(root: Path) -> None:
    assert len(load_catalog(root, strict=True).courses) == 4


def test_root_without_a_courses_folder(tmp_path: Path) -> None:
    errors = check_content(tmp_path)

    assert len(errors) == 1
    assert errors[0].path == "courses"
    assert "folder not found" in errors[0].message


def test_errors_print_like_a_compiler(root: Path) -> None:
    (root / "content/smart-ks2/02-meeting.md").unlink()

    lines = [str(e) for e in check_content(root)]

    assert lines == [
        "courses/smart-ks2.yaml:10: unknown lesson '02-meeting': "
        "no file content/smart-ks2/02-meeting.md"
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        (
            "// [id:smart-ks2-meeting-friend]\n",
            "",
            12,
            "question has no id: add a line // [id:smart-ks2-",
        ),
        (
            "[id:smart-ks2-meeting-friend]",
            "[id:meeting-friend]",
            13,
            "must start with 'smart-ks2-'",
        ),
        ("::Meeting up::", "", 13, "question has no title"),
        (
            "::Meeting up::An online friend asks to meet you at the park. What should you do? {\n"
            "=Tell a trusted adult\n~Go on your own\n~Keep it a secret\n}\n",
            "::Meeting up::Write about a time you met someone online. {}\n",
            13,
            "cannot be marked automatically",
        ),
    ],
)
def test_bank_questions_need_stable_ids_titles_and_marking(root, old, new, line, fragment) -> None:
    edit(root, "quizzes/smart-ks2.gift", old, new)

    catalog = load_catalog(root)

    find(list(catalog.errors), "quizzes/smart-ks2.gift", line, fragment)
    assert catalog.course("smart-ks2") is None


def test_errors_in_an_unused_bank_are_still_reported(root: Path) -> None:
    write(root, "quizzes/draft.gift", "// [id:draft-one]\n::One::Broken {\n=Yes\n")

    catalog = load_catalog(root)

    assert [e.path for e in catalog.errors] == ["quizzes/draft.gift"]
    assert len(catalog.courses) == 4
