"""The admin blueprint, shared by the modules that put their pages on it.

``views`` holds people and academies; ``classroom_views`` the class sign-in cards and
``import_views`` the roster import. Each imports the blueprint from here, so none of them
needs another to exist first.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

Page = str | tuple[str, int] | Response
