"""The built-in LRS's document resources over HTTP, on the xAPI blueprint.

``/xapi/activities/state``, ``/xapi/activities/profile`` and ``/xapi/agents/profile``: GET
(one document, or the ids of all of them, optionally ``since`` a time), HEAD, PUT, POST
(JSON merge) and DELETE (the State resource also deletes all of an agent's state for an
activity at once).

Access is the Statement resource's: an LRS credential by HTTP Basic, with read scope for GET
and HEAD and write scope for PUT, POST and DELETE. Every credential with read scope reads
every document, as it reads every statement. A signed-in person's web session gets 403:
documents are what other software keeps about a learner, and a pupil's session is no way
into another system's notes. Every request must send ``X-Experience-API-Version``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, g, request
from werkzeug.http import http_date, parse_etags

import elearn.xapi.lrs.document_privacy  # noqa: F401  (registers its export and erasure sections)
from elearn.auth.access import public
from elearn.db import get_db, utcnow
from elearn.xapi import formats
from elearn.xapi.lrs import documents, query
from elearn.xapi.lrs.documents import DocumentKey, Preconditions, Scope
from elearn.xapi.lrs.resource import (
    VERSIONS,
    XapiError,
    _caller,
    _check_version,
    bp,
    commit_with_one_retry,
)
from elearn.xapi.models import DocumentKind, LrsDocument

# The columns that hold these parts of a document's key are this long.
_KEY_LIMIT = 512
_CONTENT_TYPE_LIMIT = 255


@dataclass(frozen=True)
class _Resource:
    kind: DocumentKind
    path: str
    id_name: str  # stateId or profileId
    needs_activity: bool
    needs_agent: bool

    @property
    def parameters(self) -> frozenset[str]:
        names = {self.id_name, "since"}
        if self.needs_activity:
            names.add("activityId")
        if self.needs_agent:
            names.add("agent")
        if self.kind is DocumentKind.STATE:
            names.add("registration")
        return frozenset(names)


STATE = _Resource(DocumentKind.STATE, "/activities/state", "stateId", True, True)
ACTIVITY_PROFILE = _Resource(
    DocumentKind.ACTIVITY_PROFILE, "/activities/profile", "profileId", True, False
)
AGENT_PROFILE = _Resource(DocumentKind.AGENT_PROFILE, "/agents/profile", "profileId", False, True)


def authorise(*, write: bool) -> None:
    """An LRS credential with the scope the method needs, and a supported version: else raise."""
    caller = _caller()
    if caller.credential is None:
        raise XapiError(403, "documents are kept for other software: use an LRS key")
    if write and not caller.can_write:
        raise XapiError(403, "this LRS key may not change documents")
    if not write and not caller.can_read:
        raise XapiError(403, "this LRS key may not read documents")
    _check_version()


def _is_2_0() -> bool:
    return g.get("xapi_version") == VERSIONS[1]


def _required(name: str) -> str:
    value = request.args.get(name)
    if value is None:
        raise XapiError(400, f"{name} is required")
    return value


def _checked_length(name: str, value: str) -> str:
    if not value:
        raise XapiError(400, f"{name} must not be empty")
    if len(value) > _KEY_LIMIT:
        raise XapiError(400, f"{name} must be at most {_KEY_LIMIT} characters")
    return value


def agent_parameter() -> str:
    """The key of the ``agent`` parameter (an Agent or identified Group as JSON)."""
    try:
        key = query.agent_filter_key(_required("agent"))
    except query.QueryError as error:
        raise XapiError(400, error.reason) from error
    return _checked_length("agent", key)


def _scope(resource: _Resource) -> Scope:
    allowed = resource.parameters
    if request.method not in ("GET", "HEAD"):
        allowed = allowed - {"since"}
    unexpected = sorted(set(request.args) - allowed)
    if unexpected:
        raise XapiError(400, f"unknown parameter {unexpected[0]!r} for {resource.path}")
    activity_id = ""
    if resource.needs_activity:
        activity_id = _checked_length("activityId", _required("activityId"))
        if not formats.is_iri(activity_id):
            raise XapiError(400, "activityId must be an IRI")
    agent_key = agent_parameter() if resource.needs_agent else ""
    registration = request.args.get("registration", "")
    if registration and not formats.is_uuid(registration):
        raise XapiError(400, "registration must be a UUID")
    return Scope(resource.kind, activity_id, agent_key, registration.lower())


def _key(resource: _Resource) -> DocumentKey:
    scope = _scope(resource)
    return scope.key(_checked_length(resource.id_name, _required(resource.id_name)))


def _since() -> datetime | None:
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        return formats.parse_timestamp(raw)
    except ValueError as error:
        raise XapiError(
            400,
            "since must be an ISO 8601 timestamp with a time zone, such as 2024-09-01T09:30:00Z",
        ) from error


def _etags(header: str) -> tuple[str, ...] | None:
    raw = request.headers.get(header)
    if raw is None:
        return None
    etags = parse_etags(raw)
    if etags.star_tag:
        return ("*",)
    # Weak or strong, an ETag names the same bytes here.
    return tuple(etags.as_set(include_weak=True))


def _preconditions() -> Preconditions:
    return Preconditions(_etags("If-Match"), _etags("If-None-Match"))


def _body() -> tuple[bytes, str]:
    content_type = request.headers.get("Content-Type") or "application/octet-stream"
    if len(content_type) > _CONTENT_TYPE_LIMIT:
        raise XapiError(400, f"Content-Type must be at most {_CONTENT_TYPE_LIMIT} characters")
    return request.get_data(cache=False), content_type


def _document_response(document: LrsDocument) -> Response:
    response = Response(document.content, 200, content_type=document.content_type)
    response.headers["ETag"] = f'"{document.sha1}"'
    response.headers["Last-Modified"] = http_date(document.updated_at)
    return response


def _ids_response(ids: list[str]) -> Response:
    return Response(json.dumps(ids), 200, mimetype="application/json")


def _write(change: Callable[[], Any]) -> Response:
    """Run a change and commit it (a second try if another request created the same document
    at the same moment: the unique key refuses the second insert, and the retry sees it)."""
    commit_with_one_retry(lambda _db: change())
    return Response(status=204)


def _get(resource: _Resource) -> Response:
    authorise(write=False)
    if resource.id_name in request.args:
        if "since" in request.args:
            raise XapiError(400, f"since cannot be combined with {resource.id_name}")
        key = _key(resource)
        document = documents.get_document(get_db(), key)
        if document is None:
            raise XapiError(404, f"no document with the {resource.id_name} {key.document_id!r}")
        return _document_response(document)
    scope = _scope(resource)
    return _ids_response(documents.document_ids(get_db(), scope, since=_since()))


def _put(resource: _Resource) -> Response:
    authorise(write=True)
    key = _key(resource)
    content, content_type = _body()
    preconditions = _preconditions()
    # Clients must send a precondition to PUT a profile (both versions); 2.0 also asks for one
    # before overwriting state.
    if resource.kind is not DocumentKind.STATE:
        rule = documents.PutRule.ALWAYS
    else:
        rule = documents.PutRule.TO_OVERWRITE if _is_2_0() else documents.PutRule.NEVER
    return _write(
        lambda: documents.put_document(
            get_db(),
            key,
            content,
            content_type,
            now=utcnow(),
            preconditions=preconditions,
            rule=rule,
        )
    )


def _post(resource: _Resource) -> Response:
    authorise(write=True)
    key = _key(resource)
    content, content_type = _body()
    preconditions = _preconditions()
    return _write(
        lambda: documents.post_document(
            get_db(), key, content, content_type, now=utcnow(), preconditions=preconditions
        )
    )


def _delete(resource: _Resource) -> Response:
    authorise(write=True)
    if resource.id_name not in request.args and resource.kind is DocumentKind.STATE:
        scope = _scope(resource)
        return _write(lambda: documents.delete_documents(get_db(), scope))
    key = _key(resource)
    preconditions = _preconditions()
    return _write(lambda: documents.delete_document(get_db(), key, preconditions=preconditions))


def _register(resource: _Resource, endpoint: str) -> None:
    # Each method is its own view, so its access is declared and checked on its own; Flask
    # answers HEAD with the GET view, without the body.
    handlers: Iterable[tuple[str, Callable[[_Resource], Response]]] = (
        ("GET", _get),
        ("PUT", _put),
        ("POST", _post),
        ("DELETE", _delete),
    )
    for method, handler in handlers:

        def view(handler: Callable[[_Resource], Response] = handler) -> Response:
            return handler(resource)

        view.__name__ = f"{method.lower()}_{endpoint}"
        # authenticated inside: an LRS credential with the method's scope
        bp.add_url_rule(resource.path, view.__name__, public(view), methods=[method])


_register(STATE, "state")
_register(ACTIVITY_PROFILE, "activity_profile")
_register(AGENT_PROFILE, "agent_profile")
