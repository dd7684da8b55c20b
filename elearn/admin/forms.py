"""Forms for the administration pages. Rules about what is allowed live in the services;
these forms only collect and tidy the input."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from elearn.admin.academies import PHASES
from elearn.admin.services import YEAR_GROUPS, PersonDetails, normalise_email, year_label
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role, StaffKind

try:  # WTForms 3.3 prefers SelectChoice objects; older versions take (value, label) pairs.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(pairs: list[tuple[str, str]]) -> list[Any]:
    """Select options in whichever form the installed WTForms prefers."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


YEAR_CHOICES = choices([("", "Not a pupil")] + [(str(y), year_label(y)) for y in YEAR_GROUPS])
KIND_CHOICES = choices([("", "Not staff")] + [(k.value, k.label) for k in StaffKind])


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def add_problems(form: FlaskForm, problems: dict[str, str]) -> None:
    """Show a service's problems against the form's fields (or at the top of the form)."""
    for name, message in problems.items():
        target = getattr(form, name, None)
        if target is None:
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


def academy_choices(academies: list[Academy], *, allow_trust: bool) -> list[Any]:
    trust = [("", "The trust (no academy)")] if allow_trust else []
    return choices(trust + [(str(a.id), a.name) for a in academies])


class _PersonFields(FlaskForm):
    academy_id = SelectField("Academy", choices=[], validate_choice=True)
    year_group = SelectField("Year group", choices=YEAR_CHOICES)
    staff_kind = SelectField("Kind of staff", choices=KIND_CHOICES)

    def _int_or_none(self, value: str | None) -> int | None:
        return int(value) if value not in (None, "") else None

    def _kind(self) -> StaffKind | None:
        return StaffKind(self.staff_kind.data) if self.staff_kind.data else None


class PersonForm(_PersonFields):
    display_name = StringField("Full name", filters=[_strip], validators=[Length(max=200)])
    username = StringField(
        "Username",
        filters=[_strip],
        validators=[Length(max=80)],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )
    email = StringField(
        "E-mail address (optional for pupils and parents)",
        filters=[_strip],
        validators=[Length(max=254)],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )
    role = SelectField("Role", choices=[])
    start_on = DateField("Start date (staff)", validators=[Optional()])

    def details(self, *, role: Role | None = None) -> PersonDetails:
        return PersonDetails(
            display_name=self.display_name.data or "",
            username=(self.username.data or "").lower(),
            email=normalise_email(self.email.data),
            role=role or Role(self.role.data),
            academy_id=self._int_or_none(self.academy_id.data),
            year_group=self._int_or_none(self.year_group.data),
            staff_kind=self._kind(),
            start_on=self.start_on.data,
        )

    def fill(self, person: User) -> None:
        self.display_name.data = person.display_name
        self.username.data = person.username
        self.email.data = person.email or ""
        self.academy_id.data = str(person.academy_id or "")
        self.year_group.data = "" if person.year_group is None else str(person.year_group)
        self.staff_kind.data = person.staff_kind.value if person.staff_kind else ""
        self.start_on.data = person.start_on


class RoleForm(_PersonFields):
    role = SelectField("New role", choices=[])

    def details(self, person: User) -> PersonDetails:
        return PersonDetails(
            display_name=person.display_name,
            username=person.username,
            email=person.email,
            role=Role(self.role.data),
            academy_id=self._int_or_none(self.academy_id.data),
            year_group=self._int_or_none(self.year_group.data),
            staff_kind=self._kind(),
            start_on=person.start_on,
        )

    def fill(self, person: User) -> None:
        self.role.data = person.role.value
        self.academy_id.data = str(person.academy_id or "")
        self.year_group.data = "" if person.year_group is None else str(person.year_group)
        self.staff_kind.data = person.staff_kind.value if person.staff_kind else ""


class AcademyForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[Length(max=200)])
    code = StringField(
        "Short code",
        filters=[_strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[Length(max=40)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    urn = StringField(
        "Unique reference number (URN), optional", filters=[_strip], validators=[Length(max=20)]
    )
    phase = SelectField("Phase", choices=choices(list(PHASES.items())))


class ContactForm(FlaskForm):
    # The service checks the choice, with a message that says what is allowed.
    dsl_id = SelectField(
        "Designated safeguarding lead parents should contact", validate_choice=False
    )
    office_phone = StringField(
        "Office phone number",
        filters=[_strip],
        validators=[Length(max=40)],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    office_email = StringField(
        "Office e-mail address",
        filters=[_strip],
        validators=[Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"},
    )


class LinkForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[_strip],
        validators=[Length(max=80)],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )


class UploadForm(FlaskForm):
    files = MultipleFileField("Roster files")
