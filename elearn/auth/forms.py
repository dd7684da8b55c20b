"""Sign-in forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired(message="Enter your username."), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password."), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class ChoosePasswordForm(FlaskForm):
    """Worded for the youngest pupils: they meet it after a teacher resets their password."""

    password = PasswordField(
        "Your new password",
        description="At least 8 letters, numbers or symbols. Pick one you can remember.",
        validators=[DataRequired(message="Type your new password."), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    again = PasswordField(
        "Type it again",
        validators=[
            DataRequired(message="Type your new password again."),
            EqualTo("password", message="The two passwords are not the same. Try again."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
