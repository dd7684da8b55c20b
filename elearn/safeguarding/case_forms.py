"""The safeguarding team's forms on a case page: assign, add to, decide, close, and the
DSL's case fields (risk, category, pupil, referrals, follow-up)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from elearn.auth.models import User
from elearn.safeguarding.casework import REFERENCE_LIMIT, case_pupil
from elearn.safeguarding.forms import (
    Chosen,
    line_field,
    select_choices,
    text_field,
    upload_field,
    when_field,
)
from elearn.safeguarding.models import (
    Agency,
    CaseCategory,
    CyberAction,
    Decision,
    Report,
    RiskLevel,
)
from elearn.web.numbers import parse_id

DATE_EXAMPLE = "Enter a date, for example 14/03/2025."


class AssignForm(FlaskForm):
    assignee = SelectField(
        "Assign to", coerce=int, validate_choice=False, validators=[Chosen("Choose a person.")]
    )


class EntryForm(FlaskForm):
    action = SelectField(
        "Type of entry",
        choices=select_choices([("", "Note"), *((a.value, a.label) for a in CyberAction)]),
        validators=[Optional()],
        validate_choice=False,
    )
    text = text_field("Details", "Write the details before adding them.")
    happened_at = when_field(
        "When did this happen? (optional)",
        description="Leave empty if it happened just now.",
    )
    corrects = HiddenField()

    def validate_action(self, field: Field) -> None:
        if field.data and field.data not in {a.value for a in CyberAction}:
            raise ValidationError("Choose a type of entry from the list.")

    def validate_corrects(self, field: Field) -> None:
        if field.data and parse_id(field.data) is None:
            raise ValidationError("The entry to correct was not recognised.")

    def action_value(self) -> CyberAction | None:
        return CyberAction(self.action.data) if self.action.data else None

    def corrects_id(self) -> int | None:
        return parse_id(self.corrects.data)

    def happened_at_utc(self) -> datetime | None:
        return self.happened_at.data


class CloseForm(FlaskForm):
    outcome = text_field("Outcome", "Write the outcome before closing.", "What was done and why.")


class ReopenForm(FlaskForm):
    reason = text_field("Why reopen it?", "Say why the report is being reopened.")


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=select_choices(
            [(Decision.APPROVED.value, "Approve"), (Decision.REFUSED.value, "Refuse")]
        ),
        validate_choice=False,
        validators=[Chosen("Choose approve or refuse.")],
    )
    reason = text_field(
        "Reason", "Give a reason for the decision.", "The member of staff who asked will see this."
    )


class BlockForm(FlaskForm):
    note = line_field(
        "Note (optional)",
        description="For example, when and how the IT provider was asked to block it.",
        limit=1000,
    )


class EvidenceForm(FlaskForm):
    file = upload_field("File", "A screenshot or picture, or a PDF.")
    captured_at = when_field(
        "When was it captured?", required="Enter when the evidence was captured."
    )

    def validate_file(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose a file to add.")


# ---- the DSL's case fields ----------------------------------------------------------------


class RiskForm(FlaskForm):
    risk = RadioField(
        "Risk level",
        choices=select_choices((level.value, level.label) for level in RiskLevel),
        validate_choice=False,
        validators=[Chosen("Choose a risk level.")],
        description="Immediate danger: call 999 first, then record it here.",
    )

    def value(self) -> RiskLevel:
        return RiskLevel(self.risk.data)


class CategoryForm(FlaskForm):
    category = SelectField(
        "Category",
        choices=select_choices(
            [("", "Choose a category"), *((c.value, c.label) for c in CaseCategory)]
        ),
        validate_choice=False,
        validators=[Chosen("Choose a category.")],
    )

    def validate_category(self, field: Field) -> None:
        if field.data not in {c.value for c in CaseCategory}:
            raise ValidationError("Choose a category.")

    def value(self) -> CaseCategory:
        return CaseCategory(self.category.data)


class PupilForm(FlaskForm):
    """Choices are the academy's pupils, set by the view before validating."""

    pupil = SelectField(
        "Pupil this case is about",
        coerce=str,
        validate_choice=False,
        validators=[Chosen("Choose a pupil from the list.")],
    )

    def pupil_id(self) -> int | None:
        return parse_id(self.pupil.data)


class ReferralForm(FlaskForm):
    agency = RadioField(
        "Referred to",
        choices=select_choices((agency.value, agency.label) for agency in Agency),
        validate_choice=False,
        validators=[Chosen("Choose who the case was referred to.")],
        description="Allegations about a member of staff or a volunteer go to the LADO.",
    )
    referred_on = DateField(
        "Date of the referral",
        validators=[InputRequired(message="Enter the date of the referral.")],
        invalid_value_message=DATE_EXAMPLE,
    )
    reference = line_field(
        "Reference",
        "Enter the reference the agency gave you.",
        "For example a crime number or the LADO's case number.",
        limit=REFERENCE_LIMIT,
    )
    note = line_field("Note (optional)", description="For example, who you spoke to.", limit=1000)
    corrects = HiddenField()

    def validate_corrects(self, field: Field) -> None:
        if field.data and parse_id(field.data) is None:
            raise ValidationError("The referral to correct was not recognised.")

    def agency_value(self) -> Agency:
        return Agency(self.agency.data)

    def corrects_id(self) -> int | None:
        return parse_id(self.corrects.data)


class FollowUpForm(FlaskForm):
    follow_up_on = DateField(
        "Follow-up date",
        validators=[Optional()],
        invalid_value_message=DATE_EXAMPLE,
        description="The case appears on your home page from this date. Leave empty to clear it.",
    )
    note = line_field(
        "What to follow up (optional)",
        description="For example, check in with the pupil after half term.",
        limit=1000,
    )


def pupil_choices(pupils: list[User]) -> list[SelectChoice]:
    return select_choices(
        [
            ("", "Choose a pupil"),
            *(
                (
                    str(pupil.id),
                    f"{pupil.display_name} (Year {pupil.year_group})"
                    if pupil.year_group is not None
                    else pupil.display_name,
                )
                for pupil in pupils
            ),
        ]
    )


def case_field_forms(
    report: Report, given: Mapping[str, FlaskForm], pupils: list[User], correcting: str
) -> dict[str, FlaskForm]:
    """The case-field forms for the case page; those passed in keep the person's input."""
    built: dict[str, FlaskForm] = {
        "risk_form": given.get("risk_form") or RiskForm(prefix="risk", formdata=None),
        "category_form": given.get("category_form")
        or CategoryForm(prefix="category", formdata=None),
        "pupil_form": given.get("pupil_form") or PupilForm(prefix="pupil", formdata=None),
        "referral_form": given.get("referral_form")
        or ReferralForm(prefix="referral", formdata=None),
        "follow_up_form": given.get("follow_up_form")
        or FollowUpForm(prefix="follow_up", formdata=None),
    }
    if "risk_form" not in given and report.risk_level is not None:
        built["risk_form"].risk.data = report.risk_level.value  # type: ignore[attr-defined]
    if "category_form" not in given and report.category is not None:
        built["category_form"].category.data = report.category.value  # type: ignore[attr-defined]
    pupil_form = built["pupil_form"]
    pupil_form.pupil.choices = pupil_choices(pupils)  # type: ignore[attr-defined]
    if "pupil_form" not in given:
        current = case_pupil(report)
        pupil_form.pupil.data = str(current.id) if current else ""  # type: ignore[attr-defined]
    if "follow_up_form" not in given:
        built["follow_up_form"].follow_up_on.data = report.follow_up_on  # type: ignore[attr-defined]
    if "referral_form" not in given and parse_id(correcting) is not None:
        built["referral_form"].corrects.data = correcting  # type: ignore[attr-defined]
    return built
