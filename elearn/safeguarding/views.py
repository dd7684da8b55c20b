"""Sending reports: the pupils' "tell a trusted adult" form, the policy's forms for adults, and
each person's view of what they sent. The safeguarding team's inbox is in ``inbox_views``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from elearn.auth import permissions as can
from elearn.auth.access import requires, signed_in
from elearn.db import get_db, utcnow, writes
from elearn.safeguarding import forms, limits, notify, people, services
from elearn.safeguarding.blueprint import bp, checked_file, files_dir, max_bytes
from elearn.safeguarding.models import (
    ContactDirection,
    PerpetratorKind,
    ReportKind,
)
from elearn.safeguarding.timefmt import from_local
from elearn.safeguarding.uploads import human_size, remove_file

__all__ = ["bp"]


@dataclass(frozen=True)
class FormPage:
    """The words around one of the adult forms."""

    title: str
    intro: str
    who_sees: str
    submit: str
    file_field: str | None = None
    captured_field: str | None = None


FORM_PAGES: dict[ReportKind, FormPage] = {
    ReportKind.INAPPROPRIATE_CONTENT: FormPage(
        title="Report a website",
        intro=(
            "Use this form when something that should not be there appears on a school "
            "computer or tablet. It goes to the academy's designated senior leader, who can "
            "have the website blocked."
        ),
        who_sees=(
            "The academy's designated safeguarding lead and head teacher. Your name goes with "
            "the report so they can ask you about it."
        ),
        submit="Send report",
        file_field="screenshot",
    ),
    ReportKind.BLOCKED_ACCESS: FormPage(
        title="Ask for a blocked website",
        intro=(
            "If a website you need for teaching is blocked by mistake, ask for it here. The "
            "head teacher makes the final decision, and you will be told the answer."
        ),
        who_sees=(
            "The head teacher, who decides. The designated safeguarding lead can also read it."
        ),
        submit="Send request",
    ),
    ReportKind.CONTACT_ATTEMPT: FormPage(
        title="Report a social media contact",
        intro=(
            "Staff and pupils or parents and carers should never become friends, follow each "
            "other or message each other on social media. If someone tries, report it here. "
            "It goes to the head teacher."
        ),
        who_sees="The head teacher. The designated safeguarding lead can also read it.",
        submit="Send report",
        file_field="screenshot",
    ),
    ReportKind.CYBERBULLYING: FormPage(
        title="Record a cyberbullying incident",
        intro=(
            "Record the facts of an incident of bullying through social media, messages or "
            "other technology. Do not reply or retaliate. Save screenshots of the messages or "
            "pages, with the time and date."
        ),
        who_sees=(
            "Only the academy's designated safeguarding lead and head teacher. Each time the "
            "record is opened, that is logged."
        ),
        submit="Save the record",
        file_field="evidence",
        captured_field="captured_at",
    ),
    ReportKind.PARENT_CONCERN: FormPage(
        title="Raise a concern about your child",
        intro=(
            "Tell the academy's designated safeguarding lead about something online that "
            "worries you about your child's safety: messages, contact from someone, bullying, "
            "or images. This is not watched all the time: if a child is in danger now, "
            "call 999."
        ),
        who_sees=(
            "The academy's designated safeguarding lead and head teacher. Your name goes with "
            "it so they can contact you. Each time it is opened, that is logged."
        ),
        submit="Send to the safeguarding lead",
        file_field="screenshot",
    ),
}


PUPIL_WEBSITE_PAGE = FormPage(
    title="Tell us about a website",
    intro=(
        "Did you see something on a school computer or tablet that should not be there? "
        "Tell us which website it was, so a grown-up can get it blocked."
    ),
    who_sees="The grown-ups at school whose job is to keep children safe.",
    submit="Send",
    file_field="screenshot",
)


def _details_for(kind: ReportKind, form: FlaskForm) -> services.ReportInput:
    data = form.data

    def when(name: str) -> datetime | None:
        value = data.get(name)
        return from_local(value) if value else None

    if kind is ReportKind.TELL:
        return services.ReportInput(
            description=data["what_happened"], where_online=data["where"], when_hint=data["when"]
        )
    if kind is ReportKind.INAPPROPRIATE_CONTENT:
        return services.ReportInput(
            description=data["description"],
            site_address=data["site_address"],
            device_location=data["device_location"],
            occurred_at=when("seen_at"),
        )
    if kind is ReportKind.BLOCKED_ACCESS:
        return services.ReportInput(
            description=data["reason"],
            site_address=data["site_address"],
            needed_by_on=data["needed_by"],
        )
    if kind is ReportKind.CONTACT_ATTEMPT:
        return services.ReportInput(
            description=data["description"],
            direction=ContactDirection(data["direction"]),
            other_party=data["other_party"],
            other_party_id=data["other_party_id"],
            person_affected=data["person_affected"],
            person_affected_id=data["person_affected_id"],
            where_online=data["platform"],
            occurred_at=when("occurred_at"),
        )
    if kind is ReportKind.PARENT_CONCERN:
        return services.ReportInput(
            description=data["description"],
            person_affected=data["person_affected"],
            person_affected_id=data["person_affected_id"],
            where_online=data["where_online"],
            occurred_at=when("occurred_at"),
        )
    return services.ReportInput(
        description=data["description"],
        person_affected=data["person_affected"],
        person_affected_id=data["person_affected_id"],
        other_party=data["other_party"],
        other_party_id=data["other_party_id"],
        perpetrator_kind=PerpetratorKind(data["perpetrator_kind"]),
        where_online=data["platform"],
        occurred_at=when("occurred_at"),
    )


def _send_new_report_mail(academy_id: int, report_id: int) -> None:
    addresses = services.notification_addresses(get_db(), academy_id)
    mails = notify.new_report_mails(
        addresses,
        base_url=str(current_app.config["ELEARN"]["BASE_URL"]),
        # Straight to the case (opening it is still signed in and audited), not the inbox.
        inbox_path=url_for("safeguarding.case", report_id=report_id),
    )
    notify.deliver(current_app.config["ELEARN"], mails)


def _limits() -> limits.Limits:
    return limits.Limits.from_config(current_app.config["ELEARN"])


def _handle_report_form(
    kind: ReportKind,
    form: FlaskForm,
    render: Callable[[FlaskForm, str | None], str],
    file_field: str | None,
    captured_field: str | None = None,
) -> Response | tuple[str, int]:
    """Validate, check the limits and the file, save and notify; or re-render with every
    input kept (and, past a limit, why)."""
    if request.method != "POST":
        return render(form, None), 200
    valid = form.validate_on_submit()
    new_file, file_ok = checked_file(form, file_field) if file_field else (None, True)
    if not (valid and file_ok):
        return render(form, None), 422
    db = get_db()
    now = utcnow()
    pupil = can.is_pupil(current_user)
    rules = _limits()
    if current_user.academy_id is not None:
        limits.lock_academy(db, current_user.academy_id)
        try:
            limits.check_rate(db, current_user, rules, now=now)
        except limits.TooManyReports as too_many:
            db.rollback()
            return render(form, "pupil" if pupil else str(too_many.limit)), 429
        if new_file is not None:
            try:
                limits.check_storage(db, current_user.academy_id, new_file.upload.size, rules)
            except limits.StorageFull:
                db.rollback()
                form[file_field].errors = [limits.storage_full_message(pupil)]  # type: ignore[index]
                return render(form, None), 422
    if new_file is not None and captured_field and form[captured_field].data:
        new_file = services.NewFile(
            upload=new_file.upload, captured_at=from_local(form[captured_field].data)
        )
    directory = files_dir()
    report = services.submit_report(
        db,
        reporter=current_user,
        kind=kind,
        details=_details_for(kind, form),
        files=[new_file] if new_file else [],
        files_dir=directory,
        now=now,
    )
    tell_team = limits.claim_notification(db, report, rules, now=now)
    stored = [attachment.stored_name for attachment in report.attachments]
    try:
        db.commit()
    except Exception:
        db.rollback()
        for name in stored:
            remove_file(directory, name)
        raise
    # After the commit: a mail failure can never lose the report.
    if tell_team:
        _send_new_report_mail(report.academy_id, report.id)
    if pupil:
        flash("Thank you for telling us. You did the right thing.", "success")
    else:
        flash("Sent. The academy's safeguarding team has been told.", "success")
    return redirect(url_for("safeguarding.my_report", report_id=report.id))


@bp.route("/")
@signed_in
def start() -> str:
    """What this person can report, and the reports they have sent."""
    kinds = services.report_kinds_for(current_user)
    mine = services.own_reports(get_db(), current_user)
    return render_template("safeguarding/start.html", kinds=kinds, mine=mine, pages=FORM_PAGES)


@bp.route("/tell", methods=["GET", "POST"])
@requires(can.can_tell_trusted_adult)
def tell() -> Response | tuple[str, int]:
    def render(form: FlaskForm, too_many: str | None) -> str:
        return render_template(
            "safeguarding/tell.html",
            form=form,
            max_size=human_size(max_bytes()),
            too_many=too_many,
        )

    return _handle_report_form(ReportKind.TELL, forms.TellForm(), render, "screenshot")


def _adult_form(
    kind: ReportKind, form: FlaskForm, page: FormPage | None = None
) -> Response | tuple[str, int]:
    page = page or FORM_PAGES[kind]
    if isinstance(form, forms.NamesPeople):
        form.offer_people(people.choices(get_db(), current_user))

    def render(filled: FlaskForm, too_many: str | None) -> str:
        return render_template(
            "safeguarding/report_form.html",
            form=filled,
            page=page,
            kind=kind,
            max_size=human_size(max_bytes()),
            too_many=too_many,
        )

    return _handle_report_form(kind, form, render, page.file_field, page.captured_field)


@bp.route("/website", methods=["GET", "POST"])
@requires(can.can_report_inappropriate_content)
def inappropriate_content() -> Response | tuple[str, int]:
    if can.is_pupil(current_user):
        return _adult_form(
            ReportKind.INAPPROPRIATE_CONTENT, forms.PupilWebsiteForm(), PUPIL_WEBSITE_PAGE
        )
    return _adult_form(ReportKind.INAPPROPRIATE_CONTENT, forms.InappropriateContentForm())


@bp.route("/blocked-site", methods=["GET", "POST"])
@requires(can.can_request_blocked_site)
def blocked_access() -> Response | tuple[str, int]:
    return _adult_form(ReportKind.BLOCKED_ACCESS, forms.BlockedAccessForm())


@bp.route("/contact", methods=["GET", "POST"])
@requires(can.can_report_contact_attempt)
def contact_attempt() -> Response | tuple[str, int]:
    return _adult_form(ReportKind.CONTACT_ATTEMPT, forms.ContactAttemptForm())


@bp.route("/cyberbullying", methods=["GET", "POST"])
@requires(can.can_record_cyberbullying)
def cyberbullying() -> Response | tuple[str, int]:
    return _adult_form(ReportKind.CYBERBULLYING, forms.CyberbullyingForm())


@bp.route("/concern", methods=["GET", "POST"])
@requires(can.can_raise_parent_concern)
def parent_concern() -> Response | tuple[str, int]:
    return _adult_form(ReportKind.PARENT_CONCERN, forms.ParentConcernForm())


@bp.route("/mine/<int:report_id>")
@signed_in
@writes
def my_report(report_id: int) -> str:
    """The sender's own view: what they sent and where it has got to, never the team's notes."""
    db = get_db()
    report = services.own_report(db, current_user, report_id)
    if report is None:
        abort(404)
    services.record_view(db, current_user, report, now=utcnow(), action="report.viewed_by_sender")
    db.commit()
    template = "my_report_pupil" if can.is_pupil(current_user) else "my_report"
    return render_template(f"safeguarding/{template}.html", report=report)


from elearn.safeguarding import (  # noqa: E402, F401  (registers their routes)
    case_views,
    file_views,
    inbox_views,
)
