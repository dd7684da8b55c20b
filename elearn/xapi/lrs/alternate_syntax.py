"""xAPI 1.0.3's alternate request syntax: any request sent as a form POST with ``?method=``.

Browsers that could not send cross-origin PUTs or custom headers were allowed to POST
``application/x-www-form-urlencoded`` to ``…?method=PUT`` (or GET, POST, DELETE), with the
headers ``Authorization``, ``X-Experience-API-Version``, ``Content-Type``, ``Content-Length``,
``If-Match`` and ``If-None-Match`` as form fields, the body as the ``content`` field and every
other field a query parameter. :func:`rewrite` turns such a request back into the request it
stands for before it is routed to a view, so every LRS resource supports it alike. xAPI 2.0
removed the syntax: a 2.0 request (or one that names no 1.0.x version) using it is refused.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Request
from flask.globals import request_ctx
from werkzeug.exceptions import MethodNotAllowed

FORM = "application/x-www-form-urlencoded"
METHODS = frozenset({"GET", "PUT", "POST", "DELETE"})
# Form fields that stand for headers, and where WSGI keeps each header.
_HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
_VERSION_1_0 = re.compile(r"^1\.0(?:\.\d+)?$")


class AlternateSyntaxError(Exception):
    """The request uses the alternate syntax wrongly; answered 400 with ``message``.

    ``version`` is the xAPI version the request named, to answer in.
    """

    def __init__(self, message: str, version: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.version = version


def uses_it(request: Request) -> bool:
    return request.method == "POST" and "method" in request.args


def rewrite(app: Flask, request: Request) -> None:
    """Replace the current request with the one its form stands for, and route it again.

    Only call when :func:`uses_it`. Raises AlternateSyntaxError.
    """
    form = parse_qsl(request.get_data(as_text=True), keep_blank_values=True)
    fields = {name.lower(): value for name, value in form}
    version = fields.get("x-experience-api-version") or request.headers.get(
        "X-Experience-API-Version"
    )
    if version is None or not _VERSION_1_0.match(version.strip()):
        raise AlternateSyntaxError(
            "the alternate request syntax (POST with ?method=) is only part of xAPI 1.0.x; "
            "send the request with its own method and headers",
            version,
        )
    method = request.args["method"].upper()
    if method not in METHODS:
        raise AlternateSyntaxError(f"method must be one of {', '.join(sorted(METHODS))}")
    extra = sorted(set(request.args) - {"method"})
    if extra:
        raise AlternateSyntaxError(
            f"with ?method= every parameter goes in the form body, not the URL ({extra[0]!r})"
        )
    if request.mimetype != FORM:
        raise AlternateSyntaxError(f"with ?method= the body must be a form ({FORM})")

    environ: dict[str, Any] = dict(request.environ)
    environ.pop("HTTP_CONTENT_TYPE", None)
    environ["CONTENT_TYPE"] = "application/json"
    content = b""
    parameters: list[tuple[str, str]] = []
    for name, value in form:
        key = name.lower()
        if key == "content":
            content = value.encode("utf-8")
        elif key in _HEADER_FIELDS:
            environ[_HEADER_FIELDS[key]] = value
        else:
            parameters.append((name, value))
    environ.update(
        REQUEST_METHOD=method,
        QUERY_STRING=urlencode(parameters),
        CONTENT_LENGTH=str(len(content)),
    )
    environ["wsgi.input"] = BytesIO(content)

    ctx = request_ctx._get_current_object()
    ctx.request = app.request_class(environ)
    ctx.url_adapter = app.create_url_adapter(ctx.request)
    ctx.match_request()
    if isinstance(ctx.request.routing_exception, MethodNotAllowed):
        raise AlternateSyntaxError(f"this resource does not take method={method}")
