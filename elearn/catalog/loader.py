"""Load and check authored content: ``courses/*.yaml``, ``content/<id>/*.md``, ``quizzes/*.gift``.

Everything wrong is collected, never just the first problem, and each error names a file
(relative to the content root) and a line. A course with any error in its own files (its
YAML, its lessons, the bank it draws on) is left out of the served catalogue rather than
shown half-broken; every other course is still served.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from elearn.catalog.errors import ContentError, ContentInvalid
from elearn.catalog.gift import Question, parse_gift
from elearn.catalog.lessonfile import LessonFile, decode_utf8, read_lesson_file
from elearn.catalog.model import Catalog, Course, Lesson
from elearn.catalog.schema import CourseFile
from elearn.catalog.yamlsource import YamlDocument, parse_yaml, validate

logger = logging.getLogger("elearn.catalog")

COURSES = "courses"
CONTENT = "content"
QUIZZES = "quizzes"


def load_catalog(root: Path, *, strict: bool = False) -> Catalog:
    """Load every course under ``root``; courses with errors are left out and logged.

    With ``strict`` any error at all raises :class:`ContentInvalid` carrying every error,
    for deployments that would rather not start than serve part of the catalogue.
    """
    catalog = _scan(Path(root))
    if strict and catalog.errors:
        raise ContentInvalid(list(catalog.errors))
    for error in catalog.errors:
        logger.warning("content error: %s", error)
    return catalog


def check_content(root: Path) -> list[ContentError]:
    """Every problem in the content under ``root``, sorted by file and line."""
    return list(_scan(Path(root)).errors)


@dataclass(frozen=True)
class _Bank:
    path: str
    questions: tuple[Question, ...]
    errors: tuple[ContentError, ...]


def _scan(root: Path) -> Catalog:
    courses_dir = root / COURSES
    if not courses_dir.is_dir():
        error = ContentError(
            COURSES, 0, "folder not found: the content root must hold courses/, content/, quizzes/"
        )
        return Catalog(root=root, courses=(), errors=(error,), rejected={})

    banks = {path.stem: _load_bank(root, path) for path in sorted((root / QUIZZES).glob("*.gift"))}
    all_errors: set[ContentError] = set()
    for bank in banks.values():
        all_errors.update(bank.errors)

    course_paths = sorted(courses_dir.glob("*.yaml"))
    for stray in sorted(courses_dir.glob("*.yml")):
        all_errors.add(
            ContentError(_rel(root, stray), 1, "course files must end in .yaml, not .yml")
        )

    served: list[Course] = []
    rejected: dict[str, tuple[ContentError, ...]] = {}
    ids_seen: dict[str, list[Path]] = {}
    attempts: list[tuple[Path, Course | None, list[ContentError]]] = []
    for path in course_paths:
        course, errors, raw_id = _load_course(root, path, banks)
        if raw_id is not None:
            ids_seen.setdefault(raw_id, []).append(path)
        attempts.append((path, course, errors))

    duplicates = _duplicate_ids(root, ids_seen)
    for path, course, errors in attempts:
        errors.extend(duplicates.get(path, []))
        all_errors.update(errors)
        if course is not None and not errors:
            served.append(course)
        else:
            rejected[path.stem] = tuple(sorted(set(errors)))

    known = {path.stem for path in course_paths}
    all_errors.update(_orphan_lessons(root, known))
    return Catalog(
        root=root,
        courses=tuple(served),
        errors=tuple(sorted(all_errors)),
        rejected=rejected,
    )


def _load_course(
    root: Path, path: Path, banks: dict[str, _Bank]
) -> tuple[Course | None, list[ContentError], str | None]:
    """One course and its lessons; returns the course (if usable), its errors and its raw id."""
    rel = _rel(root, path)
    stem = path.stem
    lesson_files = _load_lesson_files(root, stem)
    errors = [error for lesson in lesson_files.values() for error in lesson.errors]

    text, decode_error = _read_text(path, rel)
    if text is None:
        assert decode_error is not None
        return None, [*errors, decode_error], None
    document, yaml_errors = parse_yaml(text, rel)
    errors.extend(yaml_errors)
    if document is None:
        return None, errors, None
    raw_id = document.data.get("id") if isinstance(document.data, dict) else None
    spec, schema_errors = validate(
        document, CourseFile, context={"file_id": stem}, what="a course file"
    )
    errors.extend(schema_errors)
    if spec is None:
        return None, errors, raw_id if isinstance(raw_id, str) else None

    lessons, lesson_errors = _match_lessons(document, spec, stem, lesson_files)
    errors.extend(lesson_errors)
    questions: tuple[Question, ...] = ()
    if spec.quiz is not None:
        questions, quiz_errors = _check_quiz(document, spec, banks)
        errors.extend(quiz_errors)
    course = Course(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        summary=spec.summary,
        audience=spec.audience,
        lessons=lessons,
        quiz=spec.quiz,
        questions=questions,
        recurrence=spec.recurrence,
        policy=spec.policy,
        path=rel,
    )
    return course, errors, spec.id


def _match_lessons(
    document: YamlDocument, spec: CourseFile, stem: str, files: dict[str, LessonFile]
) -> tuple[tuple[Lesson, ...], list[ContentError]]:
    errors: list[ContentError] = []
    lessons: list[Lesson] = []
    first_line: dict[str, int] = {}
    for index, lesson_id in enumerate(spec.lessons):
        line = document.line(("lessons", index))
        if lesson_id in first_line:
            errors.append(
                ContentError(
                    document.path,
                    line,
                    f"lesson '{lesson_id}' is listed twice (first on line {first_line[lesson_id]})",
                )
            )
            continue
        first_line[lesson_id] = line
        found = files.get(lesson_id)
        if found is None:
            errors.append(
                ContentError(
                    document.path,
                    line,
                    f"unknown lesson '{lesson_id}': no file {CONTENT}/{stem}/{lesson_id}.md",
                )
            )
            continue
        if found.front is None:
            continue
        lessons.append(
            Lesson(
                id=lesson_id,
                course_id=spec.id,
                position=len(lessons) + 1,
                title=found.front.title,
                minutes=found.front.minutes,
                key_points=found.front.key_points,
                body=found.body,
                path=found.path,
                digest=found.digest,
                illustration=found.front.illustration,
                illustration_alt=found.front.illustration_alt,
                smart_letter=found.front.smart_letter,
            )
        )
    for lesson_id, found in sorted(files.items()):
        if lesson_id not in first_line:
            errors.append(
                ContentError(
                    found.path,
                    1,
                    f"lesson '{lesson_id}' is not listed under lessons: in {document.path}, "
                    "so no one would ever see it",
                )
            )
    return tuple(lessons), errors


def _check_quiz(
    document: YamlDocument, spec: CourseFile, banks: dict[str, _Bank]
) -> tuple[tuple[Question, ...], list[ContentError]]:
    quiz = spec.quiz
    assert quiz is not None
    bank = banks.get(quiz.bank)
    if bank is None:
        message = f"unknown bank '{quiz.bank}': no file {QUIZZES}/{quiz.bank}.gift"
        return (), [document.error(("quiz", "bank"), message)]
    errors = list(bank.errors)
    held = len(bank.questions)
    if quiz.questions > held:
        errors.append(
            document.error(
                ("quiz", "questions"),
                f"quiz.questions asks for {quiz.questions} questions but {bank.path} "
                f"holds only {held}",
            )
        )
    per_category = Counter(question.category for question in bank.questions)
    for name, wanted in (quiz.categories or {}).items():
        loc = ("quiz", "categories", name)
        if per_category[name] == 0:
            have = ", ".join(sorted(str(c) for c in per_category if c)) or "none"
            errors.append(
                document.error(
                    loc, f"category '{name}' is not in {bank.path} (its categories: {have})"
                )
            )
        elif wanted > per_category[name]:
            errors.append(
                document.error(
                    loc,
                    f"category '{name}' asks for {wanted} questions but {bank.path} "
                    f"has only {per_category[name]} in it",
                )
            )
    return bank.questions, errors


def _duplicate_ids(root: Path, ids_seen: dict[str, list[Path]]) -> dict[Path, list[ContentError]]:
    # The file whose name matches the id is the rightful owner; the others get the error.
    found: dict[Path, list[ContentError]] = {}
    for course_id, paths in ids_seen.items():
        if len(paths) < 2:
            continue
        owner = next((p for p in paths if p.stem == course_id), None)
        for path in paths:
            if path == owner:
                continue
            others = ", ".join(_rel(root, p) for p in paths if p != path)
            error = ContentError(
                _rel(root, path), 1, f"duplicate course id '{course_id}' (also in {others})"
            )
            found.setdefault(path, []).append(error)
    return found


def _orphan_lessons(root: Path, course_ids: set[str]) -> list[ContentError]:
    content = root / CONTENT
    if not content.is_dir():
        return []
    return [
        ContentError(
            _rel(root, lesson),
            1,
            f"this lesson belongs to no course: there is no {COURSES}/{folder.name}.yaml",
        )
        for folder in sorted(content.iterdir())
        if folder.is_dir() and folder.name not in course_ids
        for lesson in sorted(folder.glob("*.md"))
    ]


def _load_bank(root: Path, path: Path) -> _Bank:
    rel = _rel(root, path)
    text, decode_error = _read_text(path, rel)
    if text is None:
        assert decode_error is not None
        return _Bank(rel, (), (decode_error,))
    questions, errors = parse_gift(text, rel)
    errors = [*errors, *(e for q in questions for e in _quiz_question_rules(q, path.stem, rel))]
    return _Bank(rel, tuple(questions), tuple(sorted(set(errors))))


def _quiz_question_rules(question: Question, bank: str, rel: str) -> list[ContentError]:
    """What a quiz here needs beyond valid GIFT: stable ids, titles, and automatic marking.

    Results and xAPI statements refer to questions by id for years, so an id made up from
    the title (which the parser allows, as Moodle does) would change when the title is edited.
    The parser already reports duplicate ids and choices with no right answer.
    """
    errors: list[ContentError] = []

    def report(message: str) -> None:
        errors.append(ContentError(rel, question.line, message))

    if not question.explicit_id:
        report(f"question has no id: add a line // [id:{bank}-…] directly above it")
    elif not question.id.startswith(f"{bank}-"):
        report(f"question id '{question.id}' must start with '{bank}-', the bank's name")
    if not question.title.strip():
        report("question has no title: start it with ::A short title::")
    if not question.is_gradable:
        report(
            f"a {question.qtype} question cannot be marked automatically; "
            "quiz questions need answers to choose or type"
        )
    elif not question.has_correct_answer:
        report("no answer to this question gets full marks")
    return errors


def _load_lesson_files(root: Path, course_id: str) -> dict[str, LessonFile]:
    folder = root / CONTENT / course_id
    if not folder.is_dir():
        return {}
    return {
        path.stem: read_lesson_file(path, _rel(root, path)) for path in sorted(folder.glob("*.md"))
    }


def _read_text(path: Path, rel: str) -> tuple[str | None, ContentError | None]:
    return decode_utf8(path.read_bytes(), rel)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
