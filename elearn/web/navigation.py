"""The main navigation: one list of entries, each shown to those its rule allows."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from elearn.auth import permissions as can
from elearn.auth.access import Rule


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    rule: Rule


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


# Entries whose endpoint is not registered are skipped, so a feature adds itself here once.
NAV: tuple[NavEntry, ...] = (
    NavEntry("Home", "core.home", can.is_signed_in),
    NavEntry("Lessons", "catalog.index", can.is_signed_in),
    NavEntry("My training", "learning.training_record", can.has_training_record),
    NavEntry("Dashboard", "compliance.dashboard", can.is_safeguarding_lead),
    NavEntry("Reports", "safeguarding.inbox", can.is_safeguarding_lead),
    NavEntry("Pupil progress", "progress.pupils", can.can_view_pupil_progress),
    NavEntry("Trust overview", "compliance.trust", can.is_admin),
    NavEntry("People", "admin.people", can.can_list_people),
    NavEntry("Class sign-in", "admin.class_list", can.is_staff_member),
    # Every adult in school may need to raise a concern, whatever page they are on.
    NavEntry("Report a concern", "safeguarding.start", can.is_staff_member),
    NavEntry("Learning records", "xapi_admin.index", can.is_admin),
    NavEntry("Content", "catalog.content", can.can_view_content),
    NavEntry("My data", "privacy.my_data", can.is_signed_in),
)


def main_nav() -> list[NavLink]:
    # The person behind the proxy, looked up once rather than through it for every rule.
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user.must_change_password:
        return []  # every page but "choose your password" would only send them back there
    return [
        NavLink(entry.label, url, request.endpoint == entry.endpoint)
        for entry, url in _entries_here()
        if entry.rule(user)
    ]


def _entries_here() -> list[tuple[NavEntry, str]]:
    """The registered entries with their URLs: the same on every page of one app and mount
    point, so worked out once rather than by url_for for every entry of every page."""
    known: dict[str, list[tuple[NavEntry, str]]] = current_app.extensions.setdefault(
        "elearn.nav_urls", {}
    )
    root = request.script_root
    if root not in known:
        views = current_app.view_functions
        known[root] = [(entry, url_for(entry.endpoint)) for entry in NAV if entry.endpoint in views]
    return known[root]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["main_nav"] = main_nav
    app.jinja_env.globals["can"] = can
