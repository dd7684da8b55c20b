"""The compliance screens: academy dashboards, the trust overview, records, export, print.

DSLs and head teachers see their own academy; trust admins see every academy and the trust
overview. People and academies are looked up within what the viewer may see, so anything
else is a 404.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.auth.models import Academy, User
from elearn.catalog.model import Catalog
from elearn.compliance import services
from elearn.compliance.cells import Status
from elearn.compliance.engagement import trust_engagement
from elearn.compliance.export import matrix_csv
from elearn.compliance.formatting import long_date
from elearn.compliance.forms import OfflineTrainingForm
from elearn.compliance.requirements import POLICY_DUE_DAYS, TRAINED_ROLES
from elearn.compliance.rules import uk_date
from elearn.compliance.status import Filters, Matrix, academy_matrix
from elearn.db import get_db, utcnow
from elearn.web.numbers import parse_id

bp = Blueprint("compliance", __name__, url_prefix="/compliance", template_folder="templates")

# How far from today a report date may be moved (a term's planning, a past inspection).
AS_OF_RANGE = timedelta(days=5 * 366)


def app_catalog() -> Catalog:
    return current_app.extensions["elearn.catalog"].get()


def uk_today() -> date:
    return uk_date(utcnow())


def policy_due_days() -> int:
    return int(current_app.config["ELEARN"].get("POLICY_SIGN_OFF_DAYS") or POLICY_DUE_DAYS)


def _as_of() -> date:
    """The report date: today, or the ``as_of`` the viewer picked (bad values mean today)."""
    today = uk_today()
    raw = request.args.get("as_of", "")
    try:
        picked = date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    return picked if abs(picked - today) <= AS_OF_RANGE else today


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {"long_date": long_date}


def _note_new_policy_versions(matrix: Matrix) -> None:
    """Remember the day a policy version was first seen; its due date counts from it."""
    if not matrix.unrecorded_policies or matrix.as_of != uk_today():
        return
    with current_app.extensions["elearn.writer_sessionmaker"]() as writer:
        services.record_policy_releases(writer, app_catalog(), seen_on=matrix.as_of)
        writer.commit()


def scoped_academy(requested: int | None) -> Academy | None:
    """The academy a report covers: a lead's own; for an admin, the one asked for or None
    (the whole trust). Anything the viewer may not see is a 404."""
    if can.is_admin(current_user):
        if requested is None:
            return None
    else:
        own = current_user.academy_id
        if own is None or requested not in (None, own):
            abort(404)
        requested = own
    academy = get_db().get(Academy, requested)
    if academy is None:
        abort(404)
    return academy


def _matrix(academy: Academy | None) -> Matrix:
    catalog = app_catalog()
    course_ids = tuple(
        course.id for course in catalog.courses if course.recurrence or course.policy
    )
    matrix = academy_matrix(
        get_db(),
        catalog,
        academy_id=academy.id if academy else None,
        as_of=_as_of(),
        filters=Filters.parse(request.args, course_ids),
        policy_due_days=policy_due_days(),
    )
    _note_new_policy_versions(matrix)
    return matrix


def person_url_prefix() -> str:
    """The start of every person's record URL; the table appends the person's id.

    A dashboard lists up to thousands of people: building each link with ``url_for`` was
    about a fifth of the page's time, and only the id differs between them.
    """
    sample = url_for("compliance.person", staff_id=0)
    prefix = sample.removesuffix("0")
    # Guard the assumption that the id is the URL's last part.
    assert prefix + "0" == sample, "person URLs must end with the id"
    return prefix


def _page_context(matrix: Matrix, academy: Academy | None) -> dict[str, object]:
    as_of = matrix.as_of if matrix.as_of != uk_today() else None
    scope: dict[str, str] = {}
    if can.is_admin(current_user):
        # An admin's report names its academy, or says it is the whole trust.
        scope = {"academy": str(academy.id)} if academy else {"all": "1"}
    extra = {**scope, **({"as_of": as_of.isoformat()} if as_of else {})}

    def link(endpoint: str | None = None, /, **changes: object) -> str:
        """This report's URL (or another view of it) with its filters, changed as asked."""
        endpoint = endpoint or request.endpoint or "compliance.dashboard"
        args: dict[str, object] = {**extra, **matrix.filters.query(**changes)}
        if endpoint == "compliance.academy":
            args.pop("academy", None)
            args["academy_id"] = academy.id if academy else None
        return url_for(endpoint, **args)

    return {
        "matrix": matrix,
        "academy": academy,
        "person_url": person_url_prefix(),
        "statuses": list(Status),
        "roles": TRAINED_ROLES,
        "today": uk_today(),
        "custom_as_of": as_of,
        "scope_args": extra,
        "trust_wide": academy is None,
        "link": link,
    }


@bp.route("/")
@requires(can.can_view_compliance)
def dashboard() -> str | Response:
    """A DSL's or head's own academy. Admins start from the trust overview; with ``all=1``
    they get every member of staff in the trust in one list."""
    if can.is_admin(current_user) and request.args.get("all") != "1":
        return redirect(url_for("compliance.trust"))
    academy = scoped_academy(None)
    matrix = _matrix(academy)
    return render_template("compliance/academy.html", **_page_context(matrix, academy))


@bp.route("/academies/<int:academy_id>")
@requires(can.can_view_compliance)
def academy(academy_id: int) -> str:
    """Any academy's matrix for an admin (the trust overview's drill-down); a lead's own."""
    found = scoped_academy(academy_id)
    matrix = _matrix(found)
    return render_template("compliance/academy.html", **_page_context(matrix, found))


@bp.route("/trust")
@requires(can.can_view_trust)
def trust() -> str:
    as_of = _as_of()
    overview = services.trust_overview(
        get_db(), app_catalog(), as_of=as_of, policy_due_days=policy_due_days()
    )
    return render_template(
        "compliance/trust.html",
        overview=overview,
        engagement=trust_engagement(get_db(), app_catalog()),
        today=uk_today(),
        custom_as_of=as_of if as_of != uk_today() else None,
        statuses=list(Status),
    )


def requested_academy() -> int | None:
    raw = request.args.get("academy", "")
    if not raw:
        return None
    academy_id = parse_id(raw)
    if academy_id is None:
        abort(404)
    return academy_id


@bp.route("/export.csv")
@requires(can.can_view_compliance)
def export() -> Response:
    """The current filtered view as a CSV download."""
    academy = scoped_academy(requested_academy())
    matrix = _matrix(academy)
    slug = academy.code if academy else "trust"
    name = f"training-{slug}-{matrix.as_of.isoformat()}.csv"
    return Response(
        matrix_csv(matrix),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/print")
@requires(can.can_view_compliance)
def printable() -> str:
    """The current filtered view laid out for paper, e.g. to show an inspector."""
    academy = scoped_academy(requested_academy())
    matrix = _matrix(academy)
    return render_template(
        "compliance/print.html", **_page_context(matrix, academy), printed_at=utcnow()
    )


def person_or_404(staff_id: int) -> User:
    scope = None if can.is_admin(current_user) else current_user.academy_id
    if scope is None and not can.is_admin(current_user):
        abort(404)
    person = services.find_person(get_db(), staff_id, academy_id=scope)
    if person is None:
        abort(404)
    return person


@bp.route("/people/<int:staff_id>")
@requires(can.can_view_compliance)
def person(staff_id: int) -> str:
    found = person_or_404(staff_id)
    record = services.person_record(
        get_db(), app_catalog(), found, as_of=uk_today(), policy_due_days=policy_due_days()
    )
    return render_template(
        "compliance/person.html",
        record=record,
        can_record=bool(services.offline_courses(app_catalog(), found)) and found.active,
        titles={course.id: course.title for course in app_catalog().courses},
    )


@bp.route("/people/<int:staff_id>/offline-training", methods=["GET", "POST"])
@requires(can.can_view_compliance)
def record_offline(staff_id: int) -> str | Response | tuple[str, int]:
    """Record training done elsewhere (an INSET day, an external course) as a completion."""
    from elearn.learning.services import LearningError, record_offline_completion

    found = person_or_404(staff_id)
    if not found.active or not can.can_record_offline_training(current_user, found.academy_id):
        abort(404)
    catalog = app_catalog()
    courses = services.offline_courses(catalog, found)
    if not courses:
        abort(404)
    form = OfflineTrainingForm()
    form.course.choices = [("", "Choose a course")] + [(c.id, c.title) for c in courses]
    today = uk_today()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            chosen = next((c for c in courses if c.id == form.course.data), None)
            when = form.completed_on.data
            if chosen is None:
                form.course.errors = [*form.course.errors, "Choose one of the courses listed."]
            elif when is None or when > today:
                form.completed_on.errors = [
                    *form.completed_on.errors,
                    "The date cannot be in the future.",
                ]
            else:
                db = get_db()
                try:
                    record_offline_completion(
                        db,
                        user=found,
                        course=chosen,
                        completed_on=when,
                        evidence_note=form.evidence_note.data or "",
                        recorded_by=current_user,
                        base_url=str(current_app.config["ELEARN"]["BASE_URL"]).rstrip("/"),
                        now=utcnow(),
                    )
                except LearningError as error:
                    form.form_errors.append(str(error))
                else:
                    db.commit()
                    flash(
                        f"Recorded “{chosen.title}” for {found.display_name}, "
                        f"done {long_date(when)}.",
                        "success",
                    )
                    return redirect(url_for("compliance.person", staff_id=found.id))
    return render_template("compliance/offline.html", form=form, person=found, today=today), status
