"""The policy's report forms and the safeguarding team's case forms.

Pupil wording is short and plain; adult forms say what the policy asks for. Files are only
collected here: their checks (type by content, size, name) happen in ``uploads``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from elearn.db import utcnow
from elearn.safeguarding.models import (
    ContactDirection,
    PerpetratorKind,
)
from elearn.safeguarding.people import PersonChoice
from elearn.safeguarding.timefmt import LOCAL_ZONE

TEXT_LIMIT = 5000
WHEN_LABELS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "this_week": "In the last few days",
    "longer": "Longer ago",
    "not_sure": "I'm not sure",
}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def select_choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


class Chosen:
    """The field's value must be one of its choices (one clear message, not two)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, _form: FlaskForm, field: Field) -> None:
        values = {str(choice.value) for choice in field.choices}
        if field.data is None or str(field.data) not in values:
            field.errors[:] = []
            raise StopValidation(self.message)


class NotInFuture:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, _form: FlaskForm, field: Field) -> None:
        # A little slack for a clock that runs slightly fast.
        if field.data is not None and field.data > utcnow() + timedelta(minutes=5):
            raise ValidationError(self.message)


def when_field(label: str, *, required: str | None = None, description: str = "") -> Any:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    validators.append(NotInFuture("That date and time is in the future."))
    return DateTimeLocalField(
        label,
        validators=validators,
        format=DATETIME_FORMATS,
        tz=LOCAL_ZONE,
        description=description,
        invalid_value_message="Enter a date and time, for example 14/03/2025 15:30.",
    )


def text_field(label: str, required: str, description: str = "", limit: int = TEXT_LIMIT) -> Any:
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=required),
            Length(max=limit, message=f"Keep this to {limit:,} characters or fewer."),
        ],
        description=description,
    )


def line_field(
    label: str, required: str | None = None, description: str = "", limit: int = 200
) -> Any:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"Keep this to {limit:,} characters or fewer."))
    return StringField(label, validators=validators, description=description)


def upload_field(label: str, description: str) -> Any:
    return FileField(label, description=description)


NOT_LISTED = "Not on the list, or not known"


def _optional_id(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        return -1  # never a person: the choice check below then refuses it


def _person(label: str, description: str) -> Any:
    return SelectField(
        label, coerce=_optional_id, validate_choice=False, description=description, default=""
    )


class NamesPeople(FlaskForm):
    """A form that lets the reporter pick people from the academy's roll by name."""

    person_fields: tuple[str, ...] = ()

    def offer_people(self, people: Iterable[PersonChoice]) -> None:
        """Give every person field the same grouped list (set before validating)."""
        grouped: dict[str | None, list[tuple[object, str]]] = {None: [("", NOT_LISTED)]}
        self._offered: dict[int, PersonChoice] = {}
        for choice in people:
            grouped.setdefault(choice.group, []).append((choice.id, choice.label))
            self._offered[choice.id] = choice
        for name in self.person_fields:
            self[name].choices = grouped

    def offered(self, person_id: int | None) -> PersonChoice | None:
        return getattr(self, "_offered", {}).get(person_id) if person_id is not None else None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for name in self.person_fields:
            field = self[name]
            if field.data is not None and self.offered(field.data) is None:
                field.errors = ["Choose someone from the list, or write their name instead."]
                valid = False
        return valid

    def _need_one(self, picked: str, written: str, message: str) -> bool:
        """Either a person from the list or words about them; an error on the words if not."""
        if self[picked].data is None and not (self[written].data or "").strip():
            if not self[written].errors:
                self[written].errors = [message]
            return False
        return True


class TellForm(FlaskForm):
    """A pupil telling a trusted adult. Only "what happened" is needed."""

    what_happened = TextAreaField(
        "What happened?",
        validators=[
            DataRequired(message="Please write what happened."),
            Length(max=TEXT_LIMIT, message="That is a lot of writing. Please make it shorter."),
        ],
        description="Use your own words. You can write a lot or a little.",
    )
    where = StringField(
        "Where did it happen online? (you can leave this empty)",
        validators=[Optional(), Length(max=200, message="Please make this shorter.")],
        description="For example a game, an app, a website or a video.",
    )
    when = RadioField(
        "When did it happen?",
        choices=select_choices(WHEN_LABELS.items()),
        default="not_sure",
        validate_choice=False,
        validators=[Chosen("Please pick when it happened. You can pick “I'm not sure”.")],
    )
    screenshot = upload_field(
        "Add a picture of what you saw (you can leave this empty)",
        "A screenshot is a picture of your screen.",
    )


class InappropriateContentForm(FlaskForm):
    """Appendix 2: a website with inappropriate content seen on academy equipment."""

    site_address = line_field(
        "Website address or name",
        "Enter the website's address or name.",
        "For example www.example.com. If you do not know the address, give the site's name.",
        limit=2000,
    )
    description = text_field(
        "What was on the website?",
        "Describe what was on the website.",
        "Say what you saw. Please do not open the website again to check.",
    )
    device_location = line_field(
        "Which computer, tablet or room? (optional)",
        description="For example: computer 12 in the ICT suite.",
    )
    seen_at = when_field("When was it seen? (optional)", description="Roughly is fine.")
    screenshot = upload_field("Screenshot (optional)", "A picture of the screen, or a PDF.")


class PupilWebsiteForm(InappropriateContentForm):
    """The same report in words a young pupil can read."""

    site_address = line_field(
        "Which website was it?",
        "Please write which website it was.",
        "Write the address, or the name of the website if you do not know it.",
        limit=2000,
    )
    description = text_field(
        "What did you see?",
        "Please write what you saw.",
        "Use your own words. Please do not open the website again.",
    )
    device_location = line_field(
        "Which computer or room? (you can leave this empty)",
        description="For example: the computer by the window in Class 4.",
    )
    seen_at = when_field("When did you see it? (you can leave this empty)")
    screenshot = upload_field(
        "Add a picture of the screen (you can leave this empty)",
        "A screenshot is a picture of your screen.",
    )


class BlockedAccessForm(FlaskForm):
    """Appendix 1: a member of staff asks for a blocked site to be allowed."""

    site_address = line_field(
        "Address of the blocked website",
        "Enter the address of the website you need.",
        "For example www.example.com/page.",
        limit=2000,
    )
    reason = text_field(
        "Why do you need it?",
        "Say why you need the website.",
        "For example, the lesson or activity it is for. The head teacher decides.",
    )
    needed_by = DateField(
        "Needed by (optional)",
        validators=[Optional()],
        invalid_value_message="Enter a date, for example 14/03/2025.",
    )


class ContactAttemptForm(NamesPeople):
    """A social media "friend" request or message between staff and pupils or parents."""

    person_fields = ("other_party_id", "person_affected_id")

    direction = RadioField(
        "What happened?",
        choices=select_choices((d.value, d.label) for d in ContactDirection),
        validate_choice=False,
        validators=[Chosen("Choose who contacted whom.")],
    )
    other_party_id = _person("Who made contact?", "Choose them if they are at the academy.")
    other_party = line_field(
        "Or, if they are not on the list, who made contact?",
        description="Their name, or describe them if you do not know who it was.",
    )
    person_affected_id = _person(
        "Who did they contact? (optional)", "Leave this as it is if it was you."
    )
    person_affected = line_field(
        "Or, if they are not on the list, who did they contact? (optional)",
    )
    platform = line_field(
        "Which social media app or site?",
        "Enter the app or site it happened on.",
        "For example Facebook, Instagram or WhatsApp.",
    )
    occurred_at = when_field("When did it happen? (optional)")
    description = text_field(
        "Describe the contact",
        "Describe the contact.",
        "For example a friend request, a follow or a message. Do not reply to it.",
    )
    screenshot = upload_field(
        "Screenshot (optional)", "A picture of the request or message, or a PDF."
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return (
            self._need_one(
                "other_party_id",
                "other_party",
                "Choose who made contact from the list, or write who it was.",
            )
            and valid
        )


# Who was picked as responsible decides which answer "the person responsible is"
# must have, so the policy's route is the one for that person.
RESPONSIBLE_KIND = {
    "Pupils": PerpetratorKind.PUPIL,
    "Staff": PerpetratorKind.COLLEAGUE,
    "Parents and carers": PerpetratorKind.ADULT,
}


class CyberbullyingForm(NamesPeople):
    """A cyberbullying incident record: who, what, when, and the evidence."""

    person_fields = ("person_affected_id", "other_party_id")

    person_affected_id = _person("Who was targeted?", "Choose them if they are at the academy.")
    person_affected = line_field("Or, if they are not on the list, who was targeted?")
    other_party_id = _person(
        "Who is thought to be responsible? (optional)",
        "If it is a pupil or a colleague, choose them. Leave this as it is if not known.",
    )
    other_party = line_field(
        "Or, if they are not on the list, who is thought to be responsible? (optional)",
        description="Leave empty if not known.",
    )
    perpetrator_kind = RadioField(
        "The person responsible is",
        choices=select_choices((k.value, k.label) for k in PerpetratorKind),
        validate_choice=False,
        validators=[Chosen("Choose who is thought to be responsible, or “Not known”.")],
    )
    platform = line_field(
        "Where did it happen?",
        "Enter where it happened.",
        "The app, site, game or messaging service.",
    )
    occurred_at = when_field("When did it happen?", required="Enter when it happened.")
    description = text_field(
        "What happened?",
        "Describe what happened.",
        "Record the facts: what was posted or sent, and who saw it. Never reply or retaliate.",
    )
    evidence = upload_field(
        "Evidence (optional)",
        "A screenshot of the messages or web page, or a PDF. You can add more files later.",
    )
    captured_at = when_field(
        "When was the evidence captured?",
        description="The date and time the screenshot was taken. Needed when you add a file.",
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        valid = (
            self._need_one(
                "person_affected_id",
                "person_affected",
                "Choose who was targeted from the list, or write who it was.",
            )
            and valid
        )
        responsible = self.offered(self.other_party_id.data)
        expected = RESPONSIBLE_KIND.get(responsible.group) if responsible else None
        if (
            expected
            and self.perpetrator_kind.data != expected.value
            and not self.perpetrator_kind.errors
        ):
            self.perpetrator_kind.errors = [
                f"You chose {responsible.label} as responsible: choose “{expected.label}”."
            ]
            valid = False
        # An optional field's own validators stop when it is empty, so this check lives here.
        if self.evidence.data and self.captured_at.data is None and not self.captured_at.errors:
            self.captured_at.errors = ["Enter when the evidence was captured."]
            return False
        return valid


class ParentConcernForm(NamesPeople):
    """A parent or carer's worry about their child's safety online, for the DSL."""

    person_fields = ("person_affected_id",)

    person_affected_id = _person(
        "Which child is it about?", "Your children who are linked to your account."
    )
    person_affected = line_field(
        "Or, if your child is not on the list, their name and class",
    )
    description = text_field(
        "What has happened, or what are you worried about?",
        "Say what has happened or what you are worried about.",
        "Say what you saw or were told, and who was involved if you know.",
    )
    where_online = line_field(
        "Where online? (optional)", description="For example an app, a game or a website."
    )
    occurred_at = when_field("When did it happen? (optional)", description="Roughly is fine.")
    screenshot = upload_field(
        "Screenshot (optional)",
        "A picture of the messages or page, or a PDF. Never send a nude or semi-nude image "
        "of a child, even to the school: describe it instead.",
    )

    def offer_people(self, people: Iterable[PersonChoice]) -> None:
        # Only the parent's own children: the rest of the roll is not theirs to pick.
        super().offer_people(choice for choice in people if choice.group == "Pupils")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return (
            self._need_one(
                "person_affected_id",
                "person_affected",
                "Choose your child from the list, or write their name.",
            )
            and valid
        )
