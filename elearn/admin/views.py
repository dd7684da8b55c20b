"""Administration pages: people, parent links, academies, class sign-in and roster uploads."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from elearn.admin import academies as academy_service
from elearn.admin import access_grants, links, services
from elearn.admin import cards as card_service
from elearn.admin.blueprint import Page, bp
from elearn.admin.forms import (
    AcademyForm,
    ContactForm,
    LinkForm,
    PersonForm,
    RoleForm,
    academy_choices,
    add_problems,
    choices,
)
from elearn.audit.models import AuditEntry
from elearn.auth import permissions as can
from elearn.auth import sso_records
from elearn.auth.access import requires
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.compliance.rules import uk_date
from elearn.db import get_db, utcnow
from elearn.mail import deliver_logged
from elearn.progress.services import CourseRecord, pupil_record
from elearn.roster.planner import describe_changes
from elearn.web.numbers import parse_id, parse_whole_number

ACTION_LABELS = {
    "person.create": "Added",
    "person.update": "Details changed",
    "person.role_change": "Role changed",
    "person.deactivate": "Deactivated",
    "person.reactivate": "Reactivated",
    "person.password_reset": "Password reset",
    "person.password_chosen": "Chose their own password",
    access_grants.GRANTED: "Given safeguarding access",
    access_grants.PASSWORD_RESET: "Password reset (safeguarding access)",
    "person.link_add": "Parent link added",
    "person.link_remove": "Parent link removed",
    "roster.create": "Added by a roster import",
    "roster.update": "Updated by a roster import",
    "roster.deactivate": "Marked as left by a roster import",
    "privacy.export": "Personal data exported",
    "person.erase": "Personal details erased",
    "person.sso_link": "School account linked at first sign-in",
    "person.sso_unlink": "School account link removed",
}


def _role_label(value: object) -> str:
    values = {role.value: role.label for role in Role}
    return values.get(str(value), str(value))


def describe_entry(entry: AuditEntry) -> str:
    """An audit entry in words (the trail stores ids and codes, never names)."""
    label = ACTION_LABELS.get(entry.action, entry.action)
    detail = entry.detail or {}
    if entry.action == "person.role_change" and detail.get("from"):
        label += f": {_role_label(detail['from'])} to {_role_label(detail.get('to'))}"
    elif detail.get("fields"):
        label += f" ({describe_changes(detail['fields'])})"
    return label


def _confirmed() -> bool:
    """Destructive actions run only from their confirmation page's button."""
    return request.form.get("confirm") == "yes"


def _confirm_page(title: str, explain: str, button: str, back: str) -> str:
    """Ask before acting: the page posts the same form again, confirmed (works without JS)."""
    return render_template(
        "admin/confirm.html",
        title=title,
        explain=explain,
        button=button,
        action=request.path,
        back=back,
    )


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {
        "year_label": services.year_label,
        "describe_changes": describe_changes,
        "describe_entry": describe_entry,
    }


def _tell_safeguarding_leads() -> None:
    """E-mail the leads told about a change to safeguarding access (after it committed)."""
    db = get_db()
    notices = access_grants.take_new_notices(db)
    if not notices:
        return
    config = current_app.config["ELEARN"]
    home = str(config["BASE_URL"]).rstrip("/") + url_for("core.home", _anchor="access-notices")
    mails = access_grants.notice_mails(db, notices, home_url=home)
    deliver_logged(config, mails, what="safeguarding access notice")


def _person_or_404(user_id: int) -> User:
    person = services.visible_person(get_db(), current_user, user_id)
    if person is None:
        abort(404)
    return person


def _setup_person_form(form: PersonForm | RoleForm, roles: list[Role]) -> None:
    db = get_db()
    form.role.choices = choices([(r.value, r.label) for r in roles])
    form.academy_id.choices = academy_choices(
        services.academies_for(db, current_user), allow_trust=can.is_admin(current_user)
    )


# --- people ---------------------------------------------------------------------------------


@bp.get("/people")
@requires(can.can_list_people)
def people() -> Page:
    db = get_db()
    args = request.args
    role = args.get("role", "")
    wanted = services.PeopleFilter(
        academy_id=parse_id(args.get("academy")),
        role=Role(role) if role in {r.value for r in Role} else None,
        search=args.get("q", "")[:100],
        include_inactive=args.get("inactive") == "1",
    )
    # A page that is not a number is the first page; one past the end does not exist.
    page = parse_whole_number(args.get("page")) or 1
    found = services.people_page(db, current_user, wanted, page)
    if found is None:
        abort(404)
    return render_template(
        "admin/people.html",
        found=found,
        rows=found.rows,
        wanted=wanted,
        filters=_people_filters(wanted),
        academies=services.academies_for(db, current_user),
        academy_names={a.id: a.name for a in db.query(Academy)},
        roles=list(Role),
    )


def _people_filters(wanted: services.PeopleFilter) -> dict[str, str]:
    """The search as URL arguments, so every page link keeps it."""
    filters = {"q": wanted.search.strip()}
    if wanted.academy_id is not None:
        filters["academy"] = str(wanted.academy_id)
    if wanted.role is not None:
        filters["role"] = wanted.role.value
    if wanted.include_inactive:
        filters["inactive"] = "1"
    return {key: value for key, value in filters.items() if value}


@bp.route("/people/new", methods=["GET", "POST"])
@requires(can.can_list_people)
def person_new() -> Page:
    form = PersonForm()
    _setup_person_form(form, services.assignable_roles(current_user))
    if request.method == "GET":
        form.role.data = Role.PUPIL.value
        if current_user.academy_id:
            form.academy_id.data = str(current_user.academy_id)
    if form.validate_on_submit():
        db = get_db()
        details = form.details()
        problems = services.check_details(db, current_user, details)
        if not problems:
            person = services.create_person(db, current_user, details, now=utcnow())
            db.commit()
            _tell_safeguarding_leads()
            flash(f"{person.display_name} has been added.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
        add_problems(form, problems.by_field)
    if request.method == "POST":
        return render_template("admin/person_form.html", form=form, person=None), 422
    return render_template("admin/person_form.html", form=form, person=None)


@bp.get("/people/<int:user_id>")
@requires(can.can_list_people)
def person(user_id: int) -> Page:
    return _person_page(_person_or_404(user_id), LinkForm())


def _person_page(person: User, link_form: LinkForm, status: int = 200) -> Page:
    db = get_db()
    history = (
        db.query(AuditEntry)
        .filter(AuditEntry.subject_type == "user", AuditEntry.subject_id == person.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(20)
        .all()
    )
    page = render_template(
        "admin/person.html",
        person=person,
        academy=db.get(Academy, person.academy_id) if person.academy_id else None,
        children=links.children_of(db, person.id) if person.role is Role.PARENT else [],
        parents=links.parents_of(db, person.id) if person.role is Role.PUPIL else [],
        records=_pupil_records(person),
        link_form=link_form,
        history=history,
        school_accounts=sso_records.identities_of(db, person.id)
        if can.can_manage_trust_settings(current_user)
        else [],
        manage=can.can_manage_person(current_user, person),
        may_reset=services.may_reset_password(current_user, person)
        and person.id != current_user.id,
    )
    return page, status


def _pupil_records(person: User) -> list[CourseRecord]:
    if person.role is not Role.PUPIL or person.erased_at is not None:
        return []
    courses = list(current_app.extensions["elearn.catalog"].get().courses)
    return pupil_record(get_db(), courses, person, uk_date(utcnow()))


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@requires(can.can_list_people)
def person_edit(user_id: int) -> Page:
    person = _person_or_404(user_id)
    if not can.can_manage_person(current_user, person):
        abort(403)
    form = PersonForm()
    _setup_person_form(form, [person.role])
    del form.role  # roles change on their own page, by trust administrators only
    if request.method == "GET":
        form.fill(person)
    if form.validate_on_submit():
        db = get_db()
        details = form.details(role=person.role)
        problems = services.check_details(db, current_user, details, person=person)
        if not problems:
            changed = services.update_person(db, current_user, person, details, now=utcnow())
            db.commit()
            _tell_safeguarding_leads()
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
        add_problems(form, problems.by_field)
    if request.method == "POST":
        return render_template("admin/person_form.html", form=form, person=person), 422
    return render_template("admin/person_form.html", form=form, person=person)


@bp.route("/people/<int:user_id>/role", methods=["GET", "POST"])
@requires(can.is_admin)
def person_role(user_id: int) -> Page:
    person = _person_or_404(user_id)
    if person.id == current_user.id:
        abort(403)
    form = RoleForm()
    _setup_person_form(form, list(Role))
    if request.method == "GET":
        form.fill(person)
    if form.validate_on_submit():
        db = get_db()
        details = form.details(person)
        problems = services.check_details(db, current_user, details, person=person)
        if not problems:
            before = person.role
            changed = services.change_role(db, current_user, person, details, now=utcnow())
            db.commit()
            _tell_safeguarding_leads()
            if changed and before is not person.role:
                flash(f"{person.display_name} is now: {person.role.label}.", "success")
            else:
                flash("Nothing was changed.", "info")
            return redirect(url_for("admin.person", user_id=person.id))
        add_problems(form, problems.by_field)
    if request.method == "POST":
        return render_template("admin/role_form.html", form=form, person=person), 422
    return render_template("admin/role_form.html", form=form, person=person)


@bp.post("/people/<int:user_id>/deactivate")
@requires(can.can_list_people)
def person_deactivate(user_id: int) -> Page:
    person = _person_or_404(user_id)
    if not can.can_manage_person(current_user, person) or person.id == current_user.id:
        abort(403)
    if not _confirmed():
        return _confirm_page(
            f"Deactivate {person.display_name}?",
            f"{person.display_name} will not be able to sign in. Their records are kept, "
            "and you can reactivate them later.",
            "Deactivate",
            url_for("admin.person", user_id=person.id),
        )
    db = get_db()
    services.deactivate_person(db, current_user, person, now=utcnow())
    db.commit()
    flash(f"{person.display_name} can no longer sign in. You can reactivate them.", "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/people/<int:user_id>/reactivate")
@requires(can.can_list_people)
def person_reactivate(user_id: int) -> Page:
    person = _person_or_404(user_id)
    if not can.can_manage_person(current_user, person):
        abort(403)
    db = get_db()
    services.reactivate_person(db, current_user, person, now=utcnow())
    db.commit()
    flash(f"{person.display_name} can sign in again.", "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/people/<int:user_id>/password")
@requires(can.can_use_class_sign_in)
def person_password(user_id: int) -> Page:
    person = _person_or_404(user_id)
    if not services.may_reset_password(current_user, person) or person.id == current_user.id:
        abort(403)
    back = (
        url_for("admin.person", user_id=person.id)
        if can.can_list_people(current_user)
        else url_for("admin.class_list", year=person.year_group)
    )
    if not _confirmed():
        return _confirm_page(
            f"Reset {person.display_name}'s password?",
            f"{person.display_name} gets a new password, shown once on the next page, and is "
            "signed out everywhere. Their old password stops working straight away.",
            "Reset password",
            back,
        )
    db = get_db()
    password = services.reset_password(db, current_user, person, now=utcnow())
    db.commit()
    _tell_safeguarding_leads()
    academy = db.get(Academy, person.academy_id) if person.academy_id else None
    card = card_service.SignInCard(
        person.display_name, person.username, password, services.year_label(person.year_group)
    )
    return render_template(
        "admin/password.html", person=person, card=card, academy=academy, back=back
    )


@bp.post("/people/<int:user_id>/links")
@requires(can.can_list_people)
def link_add(user_id: int) -> Page:
    person = _person_or_404(user_id)
    form = LinkForm()
    db = get_db()
    username = (form.username.data or "").strip() if form.validate_on_submit() else ""
    other = services.find_by_username(db, current_user, username) if username else None
    if not username:
        problem = "Enter the username of the person to link."
    elif other is None:
        problem = "We could not find anyone with that username."
    else:
        parent, pupil = (person, other) if person.role is Role.PARENT else (other, person)
        problem = links.link_problem(db, current_user, parent, pupil)
        if problem is None:
            links.add_link(db, current_user, parent, pupil, now=utcnow())
            db.commit()
            flash(f"{parent.display_name} is now linked to {pupil.display_name}.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
    form.username.errors = [problem]
    return _person_page(person, form, 422)


@bp.post("/people/<int:user_id>/links/<int:other_id>/remove")
@requires(can.can_list_people)
def link_remove(user_id: int, other_id: int) -> Page:
    person = _person_or_404(user_id)
    other = _person_or_404(other_id)
    parent, pupil = (person, other) if person.role is Role.PARENT else (other, person)
    if not links.may_change_link(current_user, parent, pupil):
        abort(403)
    if not _confirmed():
        return _confirm_page(
            f"Remove the link between {parent.display_name} and {pupil.display_name}?",
            f"{parent.display_name} will no longer see {pupil.display_name}'s progress.",
            "Remove link",
            url_for("admin.person", user_id=person.id),
        )
    db = get_db()
    try:
        removed = links.remove_link(db, current_user, parent, pupil, now=utcnow())
    except services.NotAllowed:
        abort(403)
    db.commit()
    if removed:
        flash(f"{parent.display_name} is no longer linked to {pupil.display_name}.", "success")
    return redirect(url_for("admin.person", user_id=person.id))


# --- academies ------------------------------------------------------------------------------


@bp.get("/academies")
@requires(can.can_manage_trust_settings)
def academies() -> Page:
    return render_template(
        "admin/academies.html",
        rows=academy_service.list_academies(get_db()),
        phases=academy_service.PHASES,
    )


def _academy_details(form: AcademyForm) -> academy_service.AcademyDetails:
    return academy_service.AcademyDetails(
        name=form.name.data or "",
        code=form.code.data or "",
        urn=form.urn.data or None,
        phase=form.phase.data or "",
    )


@bp.route("/academies/new", methods=["GET", "POST"])
@requires(can.can_manage_trust_settings)
def academy_new() -> Page:
    return _academy_form(None)


@bp.route("/academies/<int:academy_id>/edit", methods=["GET", "POST"])
@requires(can.can_manage_trust_settings)
def academy_edit(academy_id: int) -> Page:
    academy = get_db().get(Academy, academy_id)
    if academy is None:
        abort(404)
    return _academy_form(academy)


def _academy_form(academy: Academy | None) -> Page:
    form = AcademyForm(obj=academy if request.method == "GET" else None)
    if form.validate_on_submit():
        db = get_db()
        details = _academy_details(form)
        problems = academy_service.check_academy(db, details, academy=academy)
        if not problems:
            saved = academy_service.save_academy(
                db, current_user, details, now=utcnow(), academy=academy
            )
            db.commit()
            flash(f"{saved.name} has been saved.", "success")
            return redirect(url_for("admin.academies"))
        add_problems(form, problems)
    if request.method == "POST":
        return render_template("admin/academy_form.html", form=form, academy=academy), 422
    return render_template("admin/academy_form.html", form=form, academy=academy)


@bp.route("/academies/<int:academy_id>/contact", methods=["GET", "POST"])
@requires(can.can_list_people)
def academy_contact(academy_id: int) -> Page:
    """Who parents contact: the head teacher sets their own academy's, a trust admin any."""
    db = get_db()
    academy = db.get(Academy, academy_id)
    if academy is None or not can.can_set_academy_contact(current_user, academy.id):
        abort(404)
    form = ContactForm()
    people = academy_service.contact_people(db, academy.id)
    form.dsl_id.choices = choices(
        [("", "Nobody named yet")]
        + [(str(p.id), f"{p.display_name} ({p.role.label})") for p in people]
    )
    if request.method == "GET":
        form.dsl_id.data = str(academy.contact_dsl_id or "")
        form.office_phone.data = academy.office_phone or ""
        form.office_email.data = academy.office_email or ""
    if form.validate_on_submit():
        details = academy_service.ContactDetails(
            # Anything but a listed id (0 is never one) is refused by the check below.
            dsl_id=(parse_id(form.dsl_id.data) or 0) if form.dsl_id.data else None,
            office_phone=form.office_phone.data or None,
            office_email=form.office_email.data or None,
        )
        problems = academy_service.check_contact(db, academy, details)
        if not problems:
            changed = academy_service.save_contact(db, current_user, academy, details, now=utcnow())
            db.commit()
            flash("Contact details saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("admin.academy_contact", academy_id=academy.id))
        add_problems(form, problems)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/academy_contact.html", form=form, academy=academy), status


# The class sign-in and roster import pages live in their own modules on this blueprint.
from elearn.admin import classroom_views, import_views, sso_views  # noqa: E402, F401
