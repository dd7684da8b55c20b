"""The DSL's case fields on the case page: risk, category, pupil, referrals, follow-up.

Reachable by anyone signed in so that everyone outside the academy's team gets the same
answer, 404, whether the case exists or not; ``team_report`` finds it only for its team.
"""

from __future__ import annotations

from flask_login import current_user
from werkzeug.wrappers import Response

from elearn.auth.access import signed_in
from elearn.compliance.rules import uk_date
from elearn.db import get_db, utcnow
from elearn.safeguarding import case_forms, casework
from elearn.safeguarding.blueprint import bp
from elearn.safeguarding.inbox_views import act_on_case, team_report


@bp.post("/inbox/<int:report_id>/risk")
@signed_in
def set_risk(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.RiskForm(prefix="risk")
    return act_on_case(
        report,
        form,
        "risk_form",
        lambda: casework.set_risk(get_db(), current_user, report, form.value(), now=utcnow()),
        "The risk level is saved.",
        anchor="#case",
    )


@bp.post("/inbox/<int:report_id>/category")
@signed_in
def set_category(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.CategoryForm(prefix="category")
    return act_on_case(
        report,
        form,
        "category_form",
        lambda: casework.set_category(get_db(), current_user, report, form.value(), now=utcnow()),
        "The category is saved.",
        anchor="#case",
    )


@bp.post("/inbox/<int:report_id>/pupil")
@signed_in
def link_pupil(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.PupilForm(prefix="pupil")
    form.pupil.choices = case_forms.pupil_choices(
        casework.academy_pupils(get_db(), report.academy_id)
    )

    def change() -> object:
        pupil_id = form.pupil_id()
        if pupil_id is None:
            raise casework.CannotDoThat("Choose a pupil from the list.")
        return casework.link_pupil(get_db(), current_user, report, pupil_id, now=utcnow())

    return act_on_case(report, form, "pupil_form", change, "The case is linked to the pupil.")


@bp.post("/inbox/<int:report_id>/referrals")
@signed_in
def add_referral(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.ReferralForm(prefix="referral")

    def change() -> object:
        now = utcnow()
        return casework.add_referral(
            get_db(),
            current_user,
            report,
            casework.ReferralInput(
                agency=form.agency_value(),
                referred_on=form.referred_on.data,
                reference=form.reference.data or "",
                note=form.note.data or "",
            ),
            corrects_id=form.corrects_id(),
            today=uk_date(now),
            now=now,
        )

    return act_on_case(
        report, form, "referral_form", change, "The referral is recorded.", anchor="#referrals"
    )


@bp.post("/inbox/<int:report_id>/follow-up")
@signed_in
def set_follow_up(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.FollowUpForm(prefix="follow_up")

    def change() -> object:
        now = utcnow()
        return casework.set_follow_up(
            get_db(),
            current_user,
            report,
            form.follow_up_on.data,
            note=form.note.data or "",
            today=uk_date(now),
            now=now,
        )

    return act_on_case(
        report, form, "follow_up_form", change, "The follow-up date is saved.", anchor="#case"
    )
