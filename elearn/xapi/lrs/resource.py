"""The built-in LRS over HTTP: the xAPI Statement resource and the About resource.

``/xapi/statements`` (GET, POST, PUT) and ``/xapi/about`` (GET), for xAPI 1.0.3 and 2.0.

Who may call it:

* A system with an LRS credential an admin issued, by HTTP Basic (key and secret): read scope
  for GET, write scope for POST and PUT. A missing, wrong or revoked credential gets 401 with
  ``WWW-Authenticate``; a credential without the scope gets 403.
* A signed-in person (their web session, no Basic header) may GET their own statements only:
  the agent filter is forced to their own account and any other agent gets 403. Sessions may
  not POST or PUT (403), which is also why CSRF tokens are not needed here: every write needs
  a Basic credential, a JSON body and the version header, none of which a cross-site form can
  send.
* Anyone else gets 401. ``/xapi/about`` is open to all, as the spec asks.

Every request to the Statement resource must send ``X-Experience-API-Version`` (1.0.x or 2.0.x;
400 otherwise) and every response says which version answered (1.0.3, or 2.0.0 to a 2.0
request). Statements may come as JSON or, with their attachments' data, as multipart/mixed
(:mod:`elearn.xapi.lrs.multipart`); ``GET ?attachments=true`` answers multipart/mixed with the
data. The 400 for a request without the header is answered in the version that
credential last spoke, so a 2.0 client hears 2.0.0. Errors are JSON: ``{"message": "…"}``.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date

import elearn
from elearn.auth.access import enforce_access, public
from elearn.db import get_db, request_writes, utcnow
from elearn.web.security import csrf
from elearn.xapi import credentials
from elearn.xapi.builders.statements import site_iri
from elearn.xapi.formats import format_timestamp, is_uuid
from elearn.xapi.lrs import alternate_syntax, ingest, multipart, query
from elearn.xapi.lrs.refusals import Refused
from elearn.xapi.lrs.store import agent_key
from elearn.xapi.models import LrsCredential

bp = Blueprint("xapi", __name__, url_prefix="/xapi")
# Writes need HTTP Basic credentials and a JSON body, and session cookies may only read, so
# the form CSRF token has nothing to protect here (and API clients could not send one).
csrf.exempt(bp)

REALM = 'Basic realm="elearn xAPI"'
VERSIONS = ("1.0.3", "2.0.0")
_VERSION_HEADER = "X-Experience-API-Version"
_CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"
_REQUEST_VERSION = re.compile(r"^(1\.0|2\.0)(?:\.\d+)?$")


# The version each credential last sent, by key, to answer its requests that send none. Kept
# per process and bounded: it only chooses the version header of a 400.
_SPOKEN: OrderedDict[str, str] = OrderedDict()
_SPOKEN_MAX = 1024


T = TypeVar("T")


class XapiError(Exception):
    """An error answered as JSON with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Caller:
    """Who is calling: a credential, or a signed-in person reading their own statements."""

    credential: LrsCredential | None
    own_actor_key: str | None

    @property
    def can_read(self) -> bool:
        return self.own_actor_key is not None or bool(self.credential and self.credential.can_read)

    @property
    def can_write(self) -> bool:
        return bool(self.credential and self.credential.can_write)


@bp.errorhandler(XapiError)
def _xapi_error(error: XapiError) -> Response:
    response = jsonify(message=error.message)
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> Response:
    # Clients of an LRS read errors as JSON; the site's HTML error page would not parse.
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    detail = f" (the limit is {limit} bytes)" if limit else ""
    return _xapi_error(XapiError(413, f"the body is too large{detail}"))


# On the app, not the blueprint: a form POST to a resource that takes no POST (such as
# /xapi/about) does not route to the blueprint until it has been rewritten.
@bp.before_app_request
def _alternate_request_syntax() -> Response | None:
    """1.0.3's form POST with ``?method=``, for every resource on this blueprint."""
    if not request.path.startswith(f"{bp.url_prefix}/") or not alternate_syntax.uses_it(request):
        return None
    try:
        alternate_syntax.rewrite(current_app._get_current_object(), request)
    except alternate_syntax.AlternateSyntaxError as error:
        if error.version is not None and error.version.strip().startswith("2.0"):
            g.xapi_version = VERSIONS[1]
        response = _xapi_error(XapiError(400, error.message))
        # Set here too: the blueprint's own after_request only runs if the request routed.
        response.headers[_VERSION_HEADER] = g.get("xapi_version", VERSIONS[0])
        return response
    if request.blueprint != bp.name:
        return _xapi_error(XapiError(404, f"there is no xAPI resource at {request.path}"))
    # The access check ran on the request as sent; the rewritten one may reach another view.
    return enforce_access()


@bp.after_request
def _version_header(response: Response) -> Response:
    response.headers[_VERSION_HEADER] = g.get("xapi_version", VERSIONS[0])
    if request.endpoint == "xapi.get_statements":
        # Every write commits before it is answered, so whatever has been answered can be read
        # now. The time of the newest statement would fall ever further behind on an idle LRS,
        # and clients waiting for consistency would wait ever longer. Errors carry it too.
        response.headers[_CONSISTENT_THROUGH] = format_timestamp(utcnow())
    return response


def _settings() -> dict[str, Any]:
    return current_app.config["ELEARN"]


def _site() -> str:
    return site_iri(str(_settings()["BASE_URL"]))


def _caller() -> Caller:
    """Authenticate the request: HTTP Basic first, else the web session; 401 if neither."""
    header = request.headers.get("Authorization")
    if header is not None:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            raise XapiError(
                401, "use HTTP Basic with an LRS key and secret", {"WWW-Authenticate": REALM}
            )
        credential = _authenticate(str(auth.username or ""), str(auth.password or ""))
        if credential is None:
            raise XapiError(
                401, "the LRS key or secret is wrong, or was revoked", {"WWW-Authenticate": REALM}
            )
        g.xapi_credential_key = credential.key
        if credential.key in _SPOKEN:
            g.xapi_version = _SPOKEN[credential.key]
        return Caller(credential, None)
    if current_user.is_authenticated:
        own = {"account": {"homePage": _site(), "name": current_user.xapi_id}}
        return Caller(None, agent_key(own))
    raise XapiError(
        401, "sign in, or use HTTP Basic with an LRS key and secret", {"WWW-Authenticate": REALM}
    )


def _authenticate(key: str, secret: str) -> LrsCredential | None:
    if not request_writes():
        return credentials.authenticate(get_db(), key, secret)
    # A write request's own session would take SQLite's write lock with this first query and
    # hold it while the body is parsed and validated: look the key up in a reader instead.
    with current_app.extensions["elearn.sessionmaker"]() as reader:
        return credentials.authenticate(reader, key, secret)


def _check_version() -> None:
    raw = request.headers.get(_VERSION_HEADER)
    if raw is None:
        raise XapiError(400, f"the {_VERSION_HEADER} header is required (1.0.3 or 2.0.0)")
    match = _REQUEST_VERSION.match(raw.strip())
    if match is None:
        raise XapiError(400, f"{_VERSION_HEADER} {raw!r} is not supported: use 1.0.x or 2.0.x")
    g.xapi_version = VERSIONS[1] if match.group(1) == "2.0" else VERSIONS[0]
    key = g.get("xapi_credential_key")
    if key is not None and _SPOKEN.get(key) != g.xapi_version:
        _SPOKEN[key] = g.xapi_version
        while len(_SPOKEN) > _SPOKEN_MAX:
            _SPOKEN.popitem(last=False)


# Each method is its own view, so its access is declared and checked on its own.
@bp.get("/statements")
@public  # authenticated inside: an LRS credential, or the learner's own web session
def get_statements() -> Response:
    caller = _caller()
    if not caller.can_read:
        raise XapiError(403, "this LRS key may not read statements")
    _check_version()
    args = request.args.to_dict(flat=True)
    secret = str(current_app.config["SECRET_KEY"])
    try:
        if "more" in args:
            if len(args) > 1:
                raise query.QueryError("more cannot be combined with other parameters")
            asked: query.StatementQuery | query.SingleLookup = query.decode_more(
                args["more"], secret
            )
        else:
            asked = query.parse_params(args)
    except query.QueryError as error:
        raise XapiError(400, error.reason) from error

    db = get_db()
    scope = caller.own_actor_key
    if isinstance(asked, query.StatementQuery) and scope is not None:
        if asked.agent not in (None, scope):
            raise XapiError(403, "you can only read your own learning records")
        asked = replace(asked, agent=scope)
    languages = [tag for tag, _quality in request.accept_languages]

    if isinstance(asked, query.SingleLookup):
        found = query.get_statement(db, asked, actor_scope=scope)
        if found is None:
            raise XapiError(404, f"no statement with the id {asked.statement_id}")
        [body] = query.render_statements([found], asked.format, languages)
        response = _statement_response(db, body, [found], asked.attachments)
        response.headers["Last-Modified"] = http_date(found.stored_at)
    else:
        page = query.find_statements(db, asked, actor_scope=scope)
        more = ""
        if page.next_query is not None:
            token = query.encode_more(page.next_query, secret)
            more = f"{request.script_root}{bp.url_prefix}/statements?more={token}"
        rendered = query.render_statements(page.statements, asked.format, languages)
        body = '{"statements":[' + ",".join(rendered) + '],"more":' + json.dumps(more) + "}"
        response = _statement_response(db, body, page.statements, asked.attachments)
        stamps = [row.stored_at for row in page.statements]
        response.headers["Last-Modified"] = http_date(max(stamps) if stamps else utcnow())
    return response


def _statement_response(
    db: Session, body: str, found: list[query.Found], with_attachments: bool
) -> Response:
    """JSON, or with ``attachments=true`` multipart/mixed: the JSON, then the attachments'
    data of the statements in it."""
    if not with_attachments:
        return Response(body, 200, mimetype="application/json")
    data, content_type = multipart.build(body, query.attachment_data(db, found))
    response = Response(data, 200)
    response.headers["Content-Type"] = content_type
    return response


@bp.post("/statements")
@public  # authenticated inside: an LRS credential with write scope
def post_statements() -> Response:
    caller = _writer()
    if request.args:
        raise XapiError(400, "POST /statements takes no query parameters")
    data, attachments = _body()
    statements = data if isinstance(data, list) else [data]
    ids = _store(caller, statements, None, attachments)
    return jsonify(ids)


@bp.put("/statements")
@public  # authenticated inside: an LRS credential with write scope
def put_statements() -> Response:
    caller = _writer()
    unexpected = sorted(set(request.args) - {"statementId"})
    if unexpected:
        raise XapiError(400, f"unknown parameter {unexpected[0]!r}")
    statement_id = request.args.get("statementId")
    if statement_id is None:
        raise XapiError(400, "statementId is required")
    if not is_uuid(statement_id):
        raise XapiError(400, "statementId must be a UUID")
    data, attachments = _body()
    if not isinstance(data, dict):
        raise XapiError(400, "PUT takes one statement (a JSON object); POST a list instead")
    _store(caller, [data], statement_id, attachments)
    return Response(status=204)


def _writer() -> Caller:
    caller = _caller()
    if caller.credential is None:
        raise XapiError(
            403,
            "statements cannot be sent from a signed-in session; use an LRS key with write scope",
        )
    if not caller.can_write:
        raise XapiError(403, "this LRS key may not send statements")
    _check_version()
    return caller


def _body() -> tuple[Any, dict[str, multipart.AttachmentData]]:
    """The statement JSON, and the attachments' data sent with it (multipart/mixed) by SHA-2."""
    mimetype = request.mimetype
    attachments: dict[str, multipart.AttachmentData] = {}
    if mimetype == multipart.MIXED:
        try:
            raw, attachments = multipart.parse(
                request.get_data(cache=False), request.headers.get("Content-Type", "")
            )
        except multipart.MultipartError as error:
            raise XapiError(400, error.reason) from error
    elif mimetype == "application/json":
        raw = request.get_data(cache=False)
    else:
        raise XapiError(
            400, "the body must be application/json, or multipart/mixed with attachments' data"
        )
    try:
        return ingest.parse_json(raw), attachments
    except ingest.IngestError as error:
        raise XapiError(error.status, error.reason) from error


def _store(
    caller: Caller,
    statements: list[Any],
    statement_id: str | None,
    attachments: dict[str, multipart.AttachmentData],
) -> list[str]:
    """Store and commit the statements; their ids."""
    assert caller.credential is not None
    try:
        checked = ingest.check_statements(
            statements,
            statement_id=statement_id,
            version=g.get("xapi_version", VERSIONS[0]),
            data=attachments,
        )
    except ingest.IngestError as error:
        raise XapiError(error.status, error.reason) from error
    site = _site()
    authority = ingest.authority_for(site, caller.credential.key)
    version = g.get("xapi_version", VERSIONS[0])
    return commit_with_one_retry(
        lambda db: ingest.store_checked(
            db, checked, site=site, authority=authority, now=utcnow(), version=version
        ),
    )


def commit_with_one_retry(work: Callable[[Session], T]) -> T:
    """Run ``work`` on the request's session and commit.

    A service's refusal becomes the xAPI error answer. An IntegrityError means another request
    stored the same key a moment ago: the second try sees its row and answers as the spec says
    for a repeat (no-op, conflict or merge).
    """
    db = get_db()
    for attempt in (1, 2):
        try:
            result = work(db)
            db.commit()
            return result
        except Refused as error:
            db.rollback()
            raise XapiError(error.status, error.reason) from error
        except IntegrityError:
            db.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@bp.get("/about")
@public  # the About resource is open to everyone, as the spec requires
def about() -> Response:
    return jsonify(
        version=list(VERSIONS),
        extensions={
            f"{_site()}/xapi/extensions/about": {
                "product": "elearn",
                "productVersion": elearn.__version__,
                "statementFormats": list(query.FORMATS),
                "maxLimit": query.MAX_LIMIT,
            }
        },
    )
