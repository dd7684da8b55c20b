"""The form a lead uses to record training done elsewhere."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

EVIDENCE_MAX = 2000


class OfflineTrainingForm(FlaskForm):
    course = SelectField(
        "Course",
        validators=[InputRequired(message="Choose the course the training covered.")],
        validate_choice=False,  # checked against the person's courses in the view
    )
    completed_on = DateField(
        "Date the training was done",
        validators=[DataRequired(message="Enter the date the training was done.")],
        description="For example, 3 March 2026. It cannot be in the future.",
    )
    evidence_note = TextAreaField(
        "Evidence",
        validators=[
            DataRequired(message="Describe the evidence: where and how the training was done."),
            Length(max=EVIDENCE_MAX, message=f"Keep the evidence under {EVIDENCE_MAX} characters."),
        ],
        description=(
            "Where and how it was done, and where the proof is kept, e.g. "
            '"INSET day 3 March, signed register in the staff office".'
        ),
    )
