"""A small OpenID Connect provider on loopback, standing in for Microsoft or Google.

It serves discovery, a JWKS, an authorize endpoint that signs the user straight in and
redirects back with a code, and a token endpoint issuing RS256-signed ID tokens. Tests set
``claims`` (tid, hd, email, ...) before the sign-in, and can ask for a broken token.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "elearn-test-client"
CLIENT_SECRET = "elearn-test-secret"


def new_key(kid: str) -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return RSAKey.import_key(pem, {"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class Provider:
    """The provider's state; tests change ``claims`` and the ``fault`` switch."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: new_key("test-key-1"))
    claims: dict[str, Any] = field(default_factory=dict)
    # None, "tampered", "expired", "wrong_nonce", "wrong_audience", "wrong_issuer",
    # "unknown_key"
    fault: str | None = None
    requests: list[str] = field(default_factory=list)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def id_token(self, grant: dict[str, str]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "subject-" + secrets.token_hex(4),
            "aud": CLIENT_ID,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "nonce": grant.get("nonce", ""),
        }
        claims.update(self.claims)
        key = self.key
        if self.fault == "expired":
            claims["iat"], claims["nbf"], claims["exp"] = now - 7200, now - 7200, now - 3600
        elif self.fault == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        elif self.fault == "wrong_audience":
            claims["aud"] = "some-other-client"
        elif self.fault == "wrong_issuer":
            claims["iss"] = "https://login.example.invalid/other"
        elif self.fault == "unknown_key":
            key = new_key("test-key-1")  # same kid, a key nobody published
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        if self.fault == "tampered":
            header, payload, signature = token.split(".")
            body = json.loads(_b64decode(payload))
            body["email"] = "someone.else@school.example"
            token = ".".join([header, _b64encode(json.dumps(body).encode()), signature])
        return token


def _b64decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # keep test output quiet
            return

        def _json(self, data: object, status: int = 200) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            provider.requests.append(parts.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": provider.issuer + "/authorize",
                        "token_endpoint": provider.issuer + "/token",
                        "jwks_uri": provider.issuer + "/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "scopes_supported": ["openid", "email", "profile"],
                        "code_challenge_methods_supported": ["S256"],
                    }
                )
            elif parts.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if query.get("client_id") != CLIENT_ID:
                    self._json({"error": "unauthorized_client"}, 400)
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = query
                target = (
                    query["redirect_uri"]
                    + "?"
                    + urlencode({"code": code, "state": query.get("state", "")})
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def _client_authenticated(self, form: dict[str, str]) -> bool:
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                from urllib.parse import unquote

                pair = _b64decode(header[6:].strip().replace("+", "-").replace("/", "_"))
                client_id, _, secret = pair.decode().partition(":")
                return (unquote(client_id), unquote(secret)) == (CLIENT_ID, CLIENT_SECRET)
            return (form.get("client_id"), form.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)

        def do_POST(self) -> None:
            provider.requests.append(urlsplit(self.path).path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != "/token" or form.get("grant_type") != "authorization_code":
                self._json({"error": "invalid_request"}, 400)
                return
            if not self._client_authenticated(form):
                self._json({"error": "invalid_client"}, 401)
                return
            grant = provider.codes.pop(form.get("code", ""), None)
            if grant is None or grant.get("redirect_uri") != form.get("redirect_uri"):
                self._json({"error": "invalid_grant"}, 400)
                return
            self._json(
                {
                    "access_token": secrets.token_urlsafe(24),
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "scope": "openid email profile",
                    "id_token": provider.id_token(grant),
                }
            )

    return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Start a provider on 127.0.0.1 (a free port) for the duration of the block."""
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
