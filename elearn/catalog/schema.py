"""Pydantic models for what teachers author: a course's YAML file and a lesson's front matter.

The models are strict on purpose. A teacher who writes ``minutes: "5"`` or ``roles: [pupils]``
should hear about it from the checker rather than have a guess made for them, so numbers,
flags and text use pydantic's strict types and every model forbids unknown keys.

Cross-field rules raise :class:`pydantic_core.PydanticCustomError` whose context names the
key at fault (``at``) so the loader can point the teacher at the right line, not just at the
mapping that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from elearn.auth.roles import STAFF_ROLES, Role, StaffKind

COURSE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_ID_RE = re.compile(r"^[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")

FIRST_YEAR_GROUP = 1
LAST_YEAR_GROUP = 13

_T = TypeVar("_T")

_ROLE_NAMES = frozenset(role.value for role in Role)
_STAFF_KIND_NAMES = frozenset(kind.value for kind in StaffKind)

# The shortest month; a renewal window must open after the completion it renews.
_MIN_DAYS_IN_MONTH = 28


def content_error(message: str, at: str | None = None) -> PydanticCustomError:
    """A validation error with a teacher-facing message; ``at`` names the key to point at.

    The message travels in the context rather than as the template so that braces a teacher
    typed (echoed back in the message) are never read as format fields.
    """
    context: dict[str, Any] = {"message": message}
    if at is not None:
        context["at"] = at
    return PydanticCustomError("content", "{message}", context)


def _choices(values: Sequence[str]) -> str:
    return ", ".join(values)


def _parse_role(value: object) -> Role:
    if isinstance(value, str) and value in _ROLE_NAMES:
        return Role(value)
    raise content_error(
        f"unknown role {value!r} (expected one of: {_choices([r.value for r in Role])})"
    )


def _parse_staff_kind(value: object) -> StaffKind:
    if isinstance(value, str) and value in _STAFF_KIND_NAMES:
        return StaffKind(value)
    raise content_error(
        f"unknown staff kind {value!r} (expected one of: {_choices([k.value for k in StaffKind])})"
    )


def _check_year_group(value: int) -> int:
    if not FIRST_YEAR_GROUP <= value <= LAST_YEAR_GROUP:
        raise content_error(
            f"year group {value} is not a school year "
            f"(expected {FIRST_YEAR_GROUP} to {LAST_YEAR_GROUP})"
        )
    return value


def _no_repeats(values: tuple[_T, ...]) -> tuple[_T, ...]:
    seen: set[_T] = set()
    for value in values:
        if value in seen:
            shown = value.value if isinstance(value, Role | StaffKind) else value
            raise content_error(f"{shown!r} is listed more than once")
        seen.add(value)
    return values


def _check_course_id(value: str) -> str:
    if not COURSE_ID_RE.fullmatch(value):
        raise content_error(
            f"{value!r} is not a valid id: use lowercase letters a-z, digits and single hyphens"
        )
    return value


def _check_lesson_id(value: str) -> str:
    if not LESSON_ID_RE.fullmatch(value):
        raise content_error(
            f"{value!r} is not a valid lesson id: use two digits, a hyphen and a slug "
            "of lowercase letters, digits and hyphens (e.g. 01-keep-safe)"
        )
    return value


Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[StrictStr, AfterValidator(_check_course_id)]
LessonId = Annotated[StrictStr, AfterValidator(_check_lesson_id)]
PositiveInt = Annotated[StrictInt, Field(gt=0)]
RoleName = Annotated[Role, BeforeValidator(_parse_role)]
StaffKindName = Annotated[StaffKind, BeforeValidator(_parse_staff_kind)]
YearGroup = Annotated[StrictInt, AfterValidator(_check_year_group)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Audience(_Strict):
    """Who a course is for. Exempt staff kinds still see the course; exemption is for compliance."""

    roles: Annotated[tuple[RoleName, ...], Field(min_length=1), AfterValidator(_no_repeats)]
    year_groups: Annotated[tuple[YearGroup, ...], AfterValidator(_no_repeats)] | None = None
    exempt_staff_kinds: Annotated[tuple[StaffKindName, ...], AfterValidator(_no_repeats)] = ()

    @model_validator(mode="after")
    def _year_groups_go_with_pupils(self) -> Self:
        has_pupils = Role.PUPIL in self.roles
        if has_pupils and not self.year_groups:
            raise content_error(
                "year_groups is required when roles include pupil (e.g. year_groups: [3, 4, 5, 6])",
                at="roles",
            )
        if not has_pupils and self.year_groups is not None:
            raise content_error(
                "year_groups is only for courses whose roles include pupil", at="year_groups"
            )
        return self

    def includes(
        self,
        role: Role | str,
        year_group: int | None = None,
        staff_kind: StaffKind | str | None = None,
    ) -> bool:
        """Whether someone with this role (and, for a pupil, this year group) may see the course.

        A pupil whose year group is not known (``None``) is not filtered by year. The staff
        kind never hides a course: an exempt volunteer may still choose to take it.
        """
        del staff_kind  # visibility does not depend on it; see is_exempt
        try:
            role = Role(role)
        except ValueError:
            return False
        if role not in self.roles:
            return False
        if role is Role.PUPIL and year_group is not None:
            return year_group in (self.year_groups or ())
        return True

    def is_exempt(self, staff_kind: StaffKind | str | None) -> bool:
        """Whether this kind of staff member is excused from the course as a requirement."""
        if staff_kind is None:
            return False
        return str(staff_kind) in {k.value for k in self.exempt_staff_kinds}


class QuizSettings(_Strict):
    """How one attempt at the course's quiz is drawn, timed and marked."""

    bank: Identifier
    questions: PositiveInt
    categories: dict[Text, PositiveInt] | None = None
    pass_mark: Annotated[StrictInt, Field(ge=1, le=100)]
    attempts: PositiveInt | None = None
    feedback: Literal["immediate", "after_submission"]
    time_limit_minutes: PositiveInt | None = None
    shuffle_answers: StrictBool = True

    def __hash__(self) -> int:
        # Frozen models hash their fields, and a dict has no hash; courses are hashable.
        categories = tuple(sorted((self.categories or {}).items()))
        return hash((self.bank, self.questions, categories, self.pass_mark, self.attempts))

    @model_validator(mode="after")
    def _categories_add_up(self) -> Self:
        if self.categories is not None:
            total = sum(self.categories.values())
            if total != self.questions:
                raise content_error(
                    f"categories ask for {total} questions in all but questions is "
                    f"{self.questions}; they must be equal",
                    at="categories",
                )
        return self


class Recurrence(_Strict):
    """Makes the course a compliance requirement for the staff in its audience."""

    kind: Literal["induction", "recurring"]
    due_days_after_start: Annotated[StrictInt, Field(ge=0)]
    valid_months: PositiveInt | None = None
    window_days: PositiveInt | None = None
    expiry_from: Literal["completion", "previous_expiry"] | None = None

    @model_validator(mode="after")
    def _fields_match_kind(self) -> Self:
        recurring_only = ("valid_months", "window_days", "expiry_from")
        if self.kind == "induction":
            extra = [name for name in recurring_only if getattr(self, name) is not None]
            if extra:
                raise content_error(
                    f"{', '.join(extra)} only apply to kind: recurring (an induction is done once)",
                    at=extra[0],
                )
            return self
        missing = [name for name in recurring_only if getattr(self, name) is None]
        if missing:
            raise content_error(
                f"kind: recurring also needs {', '.join(missing)}",
                at="kind",
            )
        assert self.valid_months is not None and self.window_days is not None
        if self.window_days >= self.valid_months * _MIN_DAYS_IN_MONTH:
            raise content_error(
                f"window_days ({self.window_days}) must be shorter than the "
                f"{self.valid_months} months a completion stays valid",
                at="window_days",
            )
        return self


class Policy(_Strict):
    """Marks the policy sign-off course: the version staff confirm and the sentence they confirm."""

    version: Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
    statement: Text

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_quoted(cls, value: object) -> object:
        # YAML reads 2026.1 as a number, which would lose trailing zeros (2026.10 -> 2026.1).
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise content_error(f'version must be text: put it in quotes, e.g. version: "{value}"')
        return value


class CourseFile(_Strict):
    """The whole of ``courses/<id>.yaml``.

    Validate with ``context={"file_id": <file name without .yaml>}`` to check the id.
    """

    id: Identifier
    version: PositiveInt
    title: Text
    summary: Text
    audience: Audience
    lessons: Annotated[tuple[LessonId, ...], Field(min_length=1)]
    quiz: QuizSettings | None = None
    recurrence: Recurrence | None = None
    policy: Policy | None = None

    @field_validator("id")
    @classmethod
    def _id_matches_file(cls, value: str, info: ValidationInfo) -> str:
        file_id = (info.context or {}).get("file_id")
        if file_id is not None and value != file_id:
            raise content_error(
                f"id {value!r} does not match the file name: a course in {file_id}.yaml "
                f"must have id: {file_id}"
            )
        return value

    @model_validator(mode="after")
    def _recurrence_needs_staff(self) -> Self:
        if self.recurrence is not None and not STAFF_ROLES.intersection(self.audience.roles):
            raise content_error(
                "recurrence makes the course required training for staff, but the audience "
                f"has no staff role (one of: {_choices(sorted(r.value for r in STAFF_ROLES))})",
                at="recurrence",
            )
        return self


SMART_LETTERS = ("S", "M", "A", "R", "T")


class LessonFrontMatter(_Strict):
    """The YAML block between the ``---`` lines at the top of a lesson.

    ``illustration`` is a picture beside the lesson (e.g. ``media/safe.svg``) shown at the
    top of the page with ``illustration_alt`` as its description; ``smart_letter`` marks the
    lesson as one of the five SMART rules, which gives it that letter's colour and icon.
    """

    title: Text
    minutes: PositiveInt
    key_points: tuple[Text, ...] = ()
    illustration: Text | None = None
    illustration_alt: Text | None = None
    smart_letter: Literal["S", "M", "A", "R", "T"] | None = None

    @model_validator(mode="after")
    def _illustration_is_described(self) -> Self:
        if self.illustration is not None and self.illustration_alt is None:
            raise content_error(
                "illustration_alt is missing: describe the picture in a sentence for readers "
                "who cannot see it",
                at="illustration",
            )
        if self.illustration is None and self.illustration_alt is not None:
            raise content_error(
                "illustration_alt describes a picture, but there is no illustration: key",
                at="illustration_alt",
            )
        if self.smart_letter is not None and self.illustration is None:
            raise content_error(
                "a SMART lesson needs an illustration: add illustration: and illustration_alt:",
                at="smart_letter",
            )
        return self
