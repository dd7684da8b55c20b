""" "Send a reminder" from the compliance dashboards: to one person, or to everyone overdue in
the current view.

Each asks first (a page listing who will be e-mailed about what, and who will not and why),
sends on the confirmation's POST through the same service and records as the scheduled run,
then redirects back with what happened (post/redirect/get). Each e-mail sent is audited
under the sender. DSLs and heads reach their own academy's staff only; trust admins, anyone's.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.auth.models import Academy
from elearn.compliance import sending
from elearn.compliance.chasing import ChasePlan, plan_chase
from elearn.compliance.status import Filters
from elearn.compliance.views import (
    app_catalog,
    bp,
    person_or_404,
    policy_due_days,
    requested_academy,
    scoped_academy,
    uk_today,
)
from elearn.db import get_db
from elearn.mail import SmtpSettings

Page = str | Response | tuple[str, int]


def _filters() -> Filters:
    course_ids = tuple(c.id for c in app_catalog().courses if c.recurrence or c.policy)
    return Filters.parse(request.args, course_ids)


def _plan(academy_id: int | None, *, filters: Filters | None, user_id: int | None) -> ChasePlan:
    config = current_app.config["ELEARN"]
    return plan_chase(
        get_db(),
        app_catalog(),
        academy_id=academy_id,
        as_of=uk_today(),
        trust_name=str(config["TRUST_NAME"]),
        base_url=str(config["BASE_URL"]),
        filters=filters,
        user_id=user_id,
        policy_due_days=policy_due_days(),
    )


def _dashboard_url(academy: Academy | None, filters: Filters) -> str:
    if academy is not None:
        return url_for("compliance.academy", academy_id=academy.id, **filters.query())
    return url_for("compliance.dashboard", all="1", **filters.query())


def _confirm_or_send(plan: ChasePlan, *, title: str, back: str) -> Page:
    smtp = SmtpSettings.from_config(current_app.config["ELEARN"])
    if request.method == "GET":
        return render_template(
            "compliance/remind_confirm.html",
            plan=plan,
            title=title,
            back=back,
            action=request.full_path.rstrip("?"),
            mail_ready=smtp is not None,
        )
    if request.form.get("confirm") != "send":
        # Only the confirmation page's button sends; anything else asks first.
        return redirect(request.full_path.rstrip("?"))
    if smtp is None:
        flash("No reminder was sent: no mail server is set up (ELEARN_SMTP_HOST).", "error")
        return redirect(back)
    sender_id = current_user.id
    # The request's own session read the plan; end its transaction so that the claims,
    # each committed in a short transaction of its own, never wait for it (nothing may
    # touch that session again until the sending is done).
    get_db().rollback()
    report = sending.deliver(
        current_app.extensions["elearn.writer_sessionmaker"],
        plan.messages,
        smtp,
        sent_on=plan.as_of,
        actor_id=sender_id,
    )
    _say_what_happened(plan, report)
    return redirect(back)


def _names(people: list[str]) -> str:
    return ", ".join(people[:-1]) + (" and " if len(people) > 1 else "") + people[-1]


def _say_what_happened(plan: ChasePlan, report: sending.SendReport) -> None:
    if report.sent:
        count = len(report.sent)
        flash(
            f"Reminder sent to {count} {'person' if count == 1 else 'people'}: "
            f"{_names([m.name for m in report.sent])}.",
            "success",
        )
    # Reminded earlier today, or by someone else sending at the same moment.
    already = [s.name for s in plan.skipped if not s.no_email] + [m.name for m in report.taken]
    if already:
        flash(
            "Not sent again today (already reminded today about the same training): "
            f"{_names(already)}.",
            "success",
        )
    unreachable = [s.name for s in plan.skipped if s.no_email]
    if unreachable:
        flash(
            f"No e-mail address, so please tell them in person: {_names(unreachable)}.", "success"
        )
    if report.error is not None:
        flash(
            f"The mail server stopped working after {len(report.sent)} reminder(s); "
            f"{report.unsent} not sent. Please try again later. ({report.error})",
            "error",
        )
    if not (report.sent or already or unreachable or report.error):
        flash("Nobody in this view is overdue: no reminder was sent.", "success")


@bp.route("/reminders", methods=["GET", "POST"])
@requires(can.can_view_compliance)
def remind_overdue() -> Page:
    """Everyone overdue or expired in the dashboard view the link came from."""
    academy = scoped_academy(requested_academy())
    filters = _filters()
    plan = _plan(academy.id if academy else None, filters=filters, user_id=None)
    where = academy.name if academy else "the whole trust"
    return _confirm_or_send(
        plan,
        title=f"Send a reminder to everyone overdue: {where}",
        back=_dashboard_url(academy, filters),
    )


@bp.route("/people/<int:staff_id>/reminder", methods=["GET", "POST"])
@requires(can.can_view_compliance)
def remind_person(staff_id: int) -> Page:
    """One person, about all the training they have to do."""
    found = person_or_404(staff_id)
    if not found.active:
        abort(404)
    plan = _plan(found.academy_id, filters=None, user_id=found.id)
    return _confirm_or_send(
        plan,
        title=f"Send a reminder to {found.display_name}",
        back=url_for("compliance.person", staff_id=found.id),
    )
