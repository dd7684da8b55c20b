"""School account pages: recent sign-ins and refusals, and removing a person's linked account."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from elearn.admin import services
from elearn.admin.blueprint import Page, bp
from elearn.auth import permissions as can
from elearn.auth import sso_records
from elearn.auth.access import requires
from elearn.auth.models import User
from elearn.auth.sso_views import EXTENSION as SSO_EXTENSION
from elearn.db import get_db, utcnow
from elearn.web.numbers import parse_whole_number


def _person_or_404(user_id: int) -> User:
    person = services.visible_person(get_db(), current_user, user_id)
    if person is None:
        abort(404)
    return person


@bp.get("/sign-ins")
@requires(can.can_manage_trust_settings)
def sso_sign_ins() -> Page:
    search = request.args.get("q", "")[:100]
    page = parse_whole_number(request.args.get("page")) or 1
    found = sso_records.recent_sign_ins(get_db(), search=search, page=page)
    if found is None:
        abort(404)
    return render_template(
        "admin/sso_sign_ins.html",
        found=found,
        search=search,
        describe_reason=sso_records.describe_reason,
        configured=bool(current_app.extensions.get(SSO_EXTENSION)),
    )


@bp.post("/people/<int:user_id>/school-accounts/<int:identity_id>/remove")
@requires(can.can_manage_trust_settings)
def sso_identity_remove(user_id: int, identity_id: int) -> Page:
    person = _person_or_404(user_id)
    db = get_db()
    identity = sso_records.identity_of(db, person.id, identity_id)
    if identity is None:
        abort(404)
    address = identity.email or "no e-mail address given"
    if request.form.get("confirm") != "yes":
        # Ask first: the confirmation page posts the same form again, confirmed.
        return render_template(
            "admin/confirm.html",
            title=f"Remove {person.display_name}'s school account link?",
            explain=f"The school account ({address}) will no longer sign in as "
            f"{person.display_name}. Their next sign-in with a school account is treated as a "
            "first one: it links again only by a verified address in the trust's domains, or "
            "by roster id.",
            button="Remove link",
            action=request.path,
            back=url_for("admin.person", user_id=person.id),
        )
    sso_records.remove_identity(db, current_user, person, identity, now=utcnow())
    db.commit()
    flash(
        f"The school account ({address}) is no longer linked to {person.display_name}.", "success"
    )
    return redirect(url_for("admin.person", user_id=person.id))
