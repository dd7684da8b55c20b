"""The academy's safeguarding inbox: list, read, assign, add to, decide, close.

Reports are looked up only within the viewer's own academy, so any other id is a 404. Every
page that shows a report, every change and every download is audited in its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.auth.models import User
from elearn.db import get_db, utcnow, writes
from elearn.safeguarding import (
    audit_log,
    case_forms,
    casework,
    handling,
    limits,
    notify,
    services,
)
from elearn.safeguarding.blueprint import bp, checked_file, files_dir, max_bytes
from elearn.safeguarding.models import (
    Decision,
    Report,
    ReportKind,
    ReportStatus,
)
from elearn.safeguarding.route import cyberbullying_route
from elearn.safeguarding.timefmt import from_local
from elearn.safeguarding.uploads import human_size, remove_file
from elearn.web.numbers import parse_id

lead_only = requires(can.is_safeguarding_lead)


def team_report(report_id: int, kind: ReportKind | None = None) -> Report:
    report = services.report_for_team(get_db(), current_user, report_id)
    if report is None or (kind is not None and report.kind is not kind):
        abort(404)
    return report


def _team_choices(report: Report) -> list[SelectChoice]:
    return [
        SelectChoice(person.id, f"{person.display_name} ({person.role.label})")  # type: ignore[arg-type]
        for person in services.team(get_db(), report.academy_id)
    ]


# The case page's own forms: where the page finds each one, and its field prefix.
TEAM_FORMS: dict[str, tuple[type[FlaskForm], str]] = {
    "assign_form": (case_forms.AssignForm, "assign"),
    "entry_form": (case_forms.EntryForm, "entry"),
    "close_form": (case_forms.CloseForm, "close"),
    "reopen_form": (case_forms.ReopenForm, "reopen"),
    "decision_form": (case_forms.DecisionForm, "decision"),
    "block_form": (case_forms.BlockForm, "block"),
    "evidence_form": (case_forms.EvidenceForm, "evidence"),
}


def _case_forms(report: Report, given: dict[str, FlaskForm]) -> dict[str, FlaskForm]:
    """Every form the case page may show; those passed in keep the person's input."""
    built: dict[str, FlaskForm] = {
        key: given.get(key) or form(prefix=prefix, formdata=None)
        for key, (form, prefix) in TEAM_FORMS.items()
    }
    assign_form = built["assign_form"]
    assign_form.assignee.choices = _team_choices(report)  # type: ignore[attr-defined]
    if "assign_form" not in given:
        assign_form.assignee.data = report.assignee_id or current_user.id  # type: ignore[attr-defined]
    if report.kind is not ReportKind.CYBERBULLYING:
        entry_form = built["entry_form"]
        entry_form.action.choices = [SelectChoice("", "Note")]  # type: ignore[attr-defined]
    correcting = request.args.get("correct", "")
    if "entry_form" not in given and parse_id(correcting) is not None:
        built["entry_form"].corrects.data = correcting  # type: ignore[attr-defined]
    pupils = casework.academy_pupils(get_db(), report.academy_id)
    built.update(
        case_forms.case_field_forms(report, given, pupils, request.args.get("correct_referral", ""))
    )
    return built


def _record_link(person: User | None) -> str | None:
    """Where the viewer may open the person's own record, if anywhere."""
    if person is None or person.academy_id != current_user.academy_id:
        return None
    if can.can_list_people(current_user):
        return url_for("admin.person", user_id=person.id)
    if person.role.is_staff and can.can_view_compliance(current_user):
        return url_for("compliance.person", staff_id=person.id)
    return None


def _render_case(report: Report, *, status: int = 200, **given: FlaskForm) -> tuple[str, int]:
    """Show a report to its academy's team; the showing itself is audited and committed."""
    db = get_db()
    services.record_view(db, current_user, report, now=utcnow())
    db.commit()
    route = (
        cyberbullying_route(report.perpetrator_kind, [entry.action for entry in report.entries])
        if report.kind is ReportKind.CYBERBULLYING
        else []
    )
    referral_form = given.get("referral_form")
    correcting_referral = (
        referral_form.corrects.data  # type: ignore[attr-defined]
        if referral_form is not None
        else request.args.get("correct_referral", "")
    )
    family = casework.family(db, report)
    correcting = given.get("entry_form")
    corrects = (
        correcting.corrects.data  # type: ignore[attr-defined]
        if correcting is not None
        else request.args.get("correct", "")
    )
    context: dict[str, Any] = {
        "report": report,
        "can_handle": handling.can_handle(current_user, report),
        "can_decide": can.can_decide_blocked_site(current_user, report.academy_id)
        and report.kind is ReportKind.BLOCKED_ACCESS,
        "route": route,
        "corrects": parse_id(corrects),
        "access_log": audit_log.for_report(db, report),
        "affected_link": _record_link(report.person_affected_user),
        "other_link": _record_link(report.other_party_user),
        "family": family,
        "pupil_link": _record_link(family.pupil) if family else None,
        "parent_links": {p.id: _record_link(p) for p in family.parents} if family else {},
        "pupil_suggested": report.pupil_id is None and family is not None,
        "corrected_referrals": casework.corrected_ids(report),
        "corrects_referral": parse_id(correcting_referral),
        "max_size": human_size(max_bytes()),
        "errors": [form for form in given.values() if form.errors],
        **_case_forms(report, given),
    }
    return render_template("safeguarding/case.html", **context), status


@bp.route("/inbox")
@lead_only
@writes
def inbox() -> str:
    db = get_db()
    try:
        view = services.InboxView(request.args.get("show", services.InboxView.ACTIVE.value))
    except ValueError:
        view = services.InboxView.ACTIVE
    try:
        kind = ReportKind(request.args["kind"]) if request.args.get("kind") else None
    except ValueError:
        kind = None
    reports = services.inbox(db, current_user, view=view, kind=kind)
    counts = services.inbox_counts(db, current_user.academy_id) if current_user.academy_id else {}
    services.record_inbox_view(db, current_user, shown=reports, now=utcnow())
    db.commit()
    return render_template(
        "safeguarding/inbox.html",
        reports=reports,
        view=view,
        kind=kind,
        views=list(services.InboxView),
        kinds=list(ReportKind),
        counts=counts,
        statuses=ReportStatus,
    )


@bp.route("/inbox/<int:report_id>")
@lead_only
@writes
def case(report_id: int) -> tuple[str, int]:
    return _render_case(team_report(report_id))


def act_on_case(
    report: Report,
    form: FlaskForm,
    form_key: str,
    change: Callable[[], object],
    done: str,
    *,
    allowed: bool | None = None,
    anchor: str = "",
) -> Response | tuple[str, int]:
    """Run one change from the case page: commit and go back, or re-render with the reason."""
    permitted = handling.can_handle(current_user, report) if allowed is None else allowed
    if not permitted:
        abort(403)
    db = get_db()
    if form.validate_on_submit():
        try:
            change()
            db.commit()
        except handling.CannotDoThat as reason:
            db.rollback()
            form.form_errors.append(str(reason))
        except handling.NotAllowed:
            db.rollback()
            abort(403)
        else:
            flash(done, "success")
            return redirect(url_for("safeguarding.case", report_id=report.id) + anchor)
    return _render_case(report, status=422, **{form_key: form})


@bp.post("/inbox/<int:report_id>/assign")
@lead_only
def assign(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.AssignForm(prefix="assign")
    form.assignee.choices = _team_choices(report)
    return act_on_case(
        report,
        form,
        "assign_form",
        lambda: handling.assign(get_db(), current_user, report, form.assignee.data, now=utcnow()),
        "The report has been assigned.",
    )


@bp.post("/inbox/<int:report_id>/entries")
@lead_only
def add_entry(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.EntryForm(prefix="entry")

    def change() -> object:
        happened = form.happened_at.data
        return handling.add_entry(
            get_db(),
            current_user,
            report,
            text=form.text.data or "",
            action=form.action_value(),
            happened_at=from_local(happened) if happened else None,
            corrects_id=form.corrects_id(),
            now=utcnow(),
        )

    return act_on_case(
        report, form, "entry_form", change, "Added to the record.", anchor="#chronology"
    )


@bp.post("/inbox/<int:report_id>/evidence")
@lead_only
def add_evidence(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    if not handling.can_handle(current_user, report):
        abort(403)
    form = case_forms.EvidenceForm(prefix="evidence")
    valid = form.validate_on_submit()
    new_file, file_ok = checked_file(form, "file")
    if not (valid and file_ok and new_file is not None):
        return _render_case(report, status=422, evidence_form=form)
    db = get_db()
    limits.lock_academy(db, report.academy_id)
    try:
        limits.check_storage(
            db,
            report.academy_id,
            new_file.upload.size,
            limits.Limits.from_config(current_app.config["ELEARN"]),
        )
    except limits.StorageFull:
        db.rollback()
        form.file.errors = [limits.storage_full_message(pupil=False)]
        return _render_case(report, status=422, evidence_form=form)
    directory = files_dir()
    captured = from_local(form.captured_at.data) if form.captured_at.data else None
    try:
        added = handling.add_evidence(
            db,
            current_user,
            report,
            [services.NewFile(upload=new_file.upload, captured_at=captured)],
            files_dir=directory,
            now=utcnow(),
        )
    except handling.CannotDoThat as reason:
        db.rollback()
        form.form_errors.append(str(reason))
        return _render_case(report, status=422, evidence_form=form)
    stored = [attachment.stored_name for attachment in added]
    try:
        db.commit()
    except Exception:
        db.rollback()
        for name in stored:
            remove_file(directory, name)
        raise
    flash("The file has been added.", "success")
    return redirect(url_for("safeguarding.case", report_id=report.id) + "#files")


@bp.post("/inbox/<int:report_id>/close")
@lead_only
def close(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.CloseForm(prefix="close")
    return act_on_case(
        report,
        form,
        "close_form",
        lambda: handling.close(get_db(), current_user, report, form.outcome.data, now=utcnow()),
        "The report is closed.",
    )


@bp.post("/inbox/<int:report_id>/reopen")
@lead_only
def reopen(report_id: int) -> Response | tuple[str, int]:
    report = team_report(report_id)
    form = case_forms.ReopenForm(prefix="reopen")
    return act_on_case(
        report,
        form,
        "reopen_form",
        lambda: handling.reopen(get_db(), current_user, report, form.reason.data, now=utcnow()),
        "The report is open again.",
    )


@bp.post("/inbox/<int:request_id>/decision")
@lead_only
def decide(request_id: int) -> Response | tuple[str, int]:
    report = team_report(request_id, ReportKind.BLOCKED_ACCESS)
    form = case_forms.DecisionForm(prefix="decision")
    response = act_on_case(
        report,
        form,
        "decision_form",
        lambda: handling.decide(
            get_db(),
            current_user,
            report,
            Decision(form.decision.data),
            form.reason.data or "",
            now=utcnow(),
        ),
        "Decision saved. The member of staff who asked has been told.",
        allowed=can.can_decide_blocked_site(current_user, report.academy_id),
    )
    if isinstance(response, Response) and report.decision is not None:
        _tell_requester(report)
    return response


def _tell_requester(report: Report) -> None:
    """Let the person who asked know there is an answer (after the commit, content-free)."""
    address = report.reporter.email
    if not address:
        return
    mail = notify.decision_mail(
        address,
        base_url=str(current_app.config["ELEARN"]["BASE_URL"]),
        report_path=url_for("safeguarding.my_report", report_id=report.id),
    )
    notify.deliver(current_app.config["ELEARN"], [mail])


@bp.post("/inbox/<int:site_report_id>/block")
@lead_only
def mark_for_blocking(site_report_id: int) -> Response | tuple[str, int]:
    report = team_report(site_report_id, ReportKind.INAPPROPRIATE_CONTENT)
    form = case_forms.BlockForm(prefix="block")
    return act_on_case(
        report,
        form,
        "block_form",
        lambda: handling.mark_for_blocking(
            get_db(), current_user, report, note=form.note.data or "", now=utcnow()
        ),
        "The site is marked for blocking.",
    )
