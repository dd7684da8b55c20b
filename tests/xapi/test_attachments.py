"""Statements sent with their attachments' data (multipart/mixed), signed statements, and
reading both back with ``attachments=true``."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.xapi.lrs.multipart import parse
from elearn.xapi.models import StatementAttachment
from elearn.xapi.personal_data import erase_statements, export_statements
from tests.xapi.test_bulk_store import counting_sql
from tests.xapi.test_resource import ANNA, Lrs, issue, stmt, stored_count

CERTIFICATE_TYPE = "https://example.org/attachment-types/certificate"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
CERTIFICATE_TEXT = b"Certificate: Online safety, level 2.\r\n--not a boundary\r\n\x00\xff"


@pytest.fixture(params=["1.0.3", "2.0.0"])
def lrs(request, client, db) -> Lrs:
    issued = issue(db)
    return Lrs(client, issued.key, issued.secret, version=request.param)


def described(content: bytes, content_type: str = "text/plain", **extra) -> dict:
    return {
        "usageType": CERTIFICATE_TYPE,
        "display": {"en-GB": "Certificate"},
        "contentType": content_type,
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
        **extra,
    }


def mixed(document, parts: list[tuple[bytes, dict[str, str]]], boundary: str = "b-31415"):
    """A multipart/mixed body: the statements, then each part with its headers."""
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()]
    chunks.append(json.dumps(document).encode())
    for content, headers in parts:
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        chunks.append(f"\r\n--{boundary}\r\n{lines}\r\n".encode() + content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def part(content: bytes, content_type: str = "text/plain") -> tuple[bytes, dict[str, str]]:
    return content, {
        "Content-Type": content_type,
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": hashlib.sha256(content).hexdigest(),
    }


def send(lrs: Lrs, document, parts, method: str = "post", statement_id: str | None = None):
    body, content_type = mixed(document, parts)
    url = "/xapi/statements" + (f"?statementId={statement_id}" if statement_id else "")
    return getattr(lrs.client, method)(
        url, data=body, content_type=content_type, headers=lrs.headers()
    )


def read_mixed(response) -> tuple[dict, dict[str, bytes]]:
    assert response.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    document, data = parse(response.get_data(), response.headers["Content-Type"])
    return json.loads(document), {sha2: a.content for sha2, a in data.items()}


# --- sending and reading back -----------------------------------------------------------------


def test_an_attachment_sent_with_its_data_is_stored_and_read_back(lrs, db):
    statement = stmt(attachments=[described(CERTIFICATE_TEXT)])
    response = send(lrs, statement, [part(CERTIFICATE_TEXT)])
    assert response.status_code == 200, response.get_json()
    [statement_id] = response.get_json()
    sha2 = hashlib.sha256(CERTIFICATE_TEXT).hexdigest()

    # Without attachments=true the answer is plain JSON, as before.
    plain = lrs.get_params(statementId=statement_id)
    assert plain.headers["Content-Type"] == "application/json"
    assert plain.get_json()["attachments"][0]["sha2"] == sha2

    single, data = read_mixed(lrs.get_params(statementId=statement_id, attachments="true"))
    assert single["id"] == statement_id
    assert data == {sha2: CERTIFICATE_TEXT}
    listed = lrs.get_params(attachments="true")
    assert "X-Experience-API-Consistent-Through" in listed.headers
    result, data = read_mixed(listed)
    assert [s["id"] for s in result["statements"]] == [statement_id]
    assert data == {sha2: CERTIFICATE_TEXT}


def test_a_put_takes_its_attachment_data_too(lrs):
    statement_id = str(uuid.uuid4())
    statement = stmt(attachments=[described(CERTIFICATE_TEXT)])
    response = send(lrs, statement, [part(CERTIFICATE_TEXT)], "put", statement_id)
    assert response.status_code == 204, response.get_json()
    _single, data = read_mixed(lrs.get_params(statementId=statement_id, attachments="true"))
    assert list(data.values()) == [CERTIFICATE_TEXT]


def test_one_part_serves_every_statement_of_a_batch_that_names_it(lrs, db):
    batch = [stmt(attachments=[described(CERTIFICATE_TEXT)]) for _ in range(2)]
    response = send(lrs, batch, [part(CERTIFICATE_TEXT)])
    assert response.status_code == 200, response.get_json()
    assert db.scalar(select(func.count()).select_from(StatementAttachment)) == 2
    result, data = read_mixed(lrs.get_params(attachments="true"))
    assert len(result["statements"]) == 2
    assert list(data.values()) == [CERTIFICATE_TEXT]


def test_multipart_without_attachments_and_attachments_by_file_url_are_accepted(lrs):
    by_url = stmt(attachments=[described(b"x", fileUrl="https://example.org/c.txt")])
    response = send(lrs, [stmt(), by_url], [])
    assert response.status_code == 200, response.get_json()
    result, data = read_mixed(lrs.get_params(attachments="true"))
    assert len(result["statements"]) == 2 and data == {}


def test_another_readers_statements_bring_no_attachment_data(client, db, lrs, make):
    send(lrs, stmt(attachments=[described(CERTIFICATE_TEXT)]), [part(CERTIFICATE_TEXT)])
    pupil = make.user(Role.PUPIL, make.academy("Attachment Academy"))
    db.commit()
    client.login(pupil.username)
    own = client.get(
        "/xapi/statements?attachments=true", headers={"X-Experience-API-Version": "1.0.3"}
    )
    result, data = read_mixed(own)
    assert result["statements"] == [] and data == {}


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        ([], "its data was not sent"),
        ([part(CERTIFICATE_TEXT), part(b"spare")], "is not an attachment of any statement"),
        (
            [(CERTIFICATE_TEXT, {**part(CERTIFICATE_TEXT)[1], "X-Experience-API-Hash": "ab" * 32})],
            "is not the SHA-2 of its data",
        ),
        (
            [
                (
                    CERTIFICATE_TEXT,
                    {k: v for k, v in part(CERTIFICATE_TEXT)[1].items() if "Hash" not in k},
                )
            ],
            "has no X-Experience-API-Hash header",
        ),
        (
            [
                (
                    CERTIFICATE_TEXT,
                    {k: v for k, v in part(CERTIFICATE_TEXT)[1].items() if "Transfer" not in k},
                )
            ],
            "needs Content-Transfer-Encoding: binary",
        ),
    ],
    ids=["missing", "extra", "wrong hash", "no hash", "not binary"],
)
def test_attachment_data_that_does_not_match_is_refused(lrs, db, parts, reason):
    response = send(lrs, stmt(attachments=[described(CERTIFICATE_TEXT)]), parts)
    assert response.status_code == 400
    assert reason in response.get_json()["message"]
    assert stored_count(db) == 0


def test_a_malformed_multipart_body_is_refused(lrs, db):
    statement = json.dumps(stmt()).encode()
    no_boundary = lrs.client.post(
        "/xapi/statements", data=statement, content_type="multipart/mixed", headers=lrs.headers()
    )
    assert "needs a boundary" in no_boundary.get_json()["message"]
    text_first = lrs.client.post(
        "/xapi/statements",
        data=b"--b\r\nContent-Type: text/plain\r\n\r\n" + statement + b"\r\n--b--",
        content_type="multipart/mixed; boundary=b",
        headers=lrs.headers(),
    )
    assert "first part must be the statements" in text_first.get_json()["message"]
    unclosed = lrs.client.post(
        "/xapi/statements",
        data=b"--b\r\nContent-Type: application/json\r\n\r\n" + statement,
        content_type="multipart/mixed; boundary=b",
        headers=lrs.headers(),
    )
    assert unclosed.status_code == 400
    assert stored_count(db) == 0


def test_attachments_cost_the_same_number_of_sql_statements_whatever_the_batch_size(app, lrs):
    send(lrs, stmt(attachments=[described(b"warm")]), [part(b"warm")])
    engine = app.extensions["elearn.engine"]
    counts = {}
    for size in (3, 30):
        files = [f"certificate {size}-{i}".encode() for i in range(size)]
        batch = [stmt(attachments=[described(f)]) for f in files]
        with counting_sql(engine) as sent:
            response = send(lrs, batch, [part(f) for f in files])
        assert response.status_code == 200, response.get_json()
        with counting_sql(engine) as read:
            _result, data = read_mixed(lrs.get_params(attachments="true", limit=size))
        assert len(data) == size
        counts[size] = (len(sent), len(read))
    assert counts[3] == counts[30], counts


# --- signed statements ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> tuple[rsa.RSAPrivateKey, str]:
    """A key, and its self-signed certificate as the JWS x5c header carries it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Quiz player")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(payload, key, alg: str = "RS256", x5c: str | None = None) -> bytes:
    header = {"alg": alg, **({"x5c": [x5c]} if x5c else {})}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    digest = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
    signature = key.sign(
        signing_input.encode(), padding.PKCS1v15(), digest.get(alg, hashes.SHA256)()
    )
    return f"{signing_input}.{b64url(signature)}".encode()


def signed(statement: dict, token: bytes, content_type: str = "application/octet-stream"):
    attachment = {**described(token, content_type), "usageType": SIGNATURE}
    return {**statement, "attachments": [attachment]}, [part(token, content_type)]


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_a_signed_statement_is_accepted_and_its_signature_kept(lrs, signer, alg):
    key, certificate = signer
    statement = stmt(id=str(uuid.uuid4()), result={"duration": "PT1.234S"})
    # The signer wrote the duration more precisely: it still compares equal to 0.01 s.
    token = jws({**statement, "result": {"duration": "PT1.2341S"}}, key, alg, certificate)
    document, parts = signed(statement, token)
    response = send(lrs, document, parts)
    assert response.status_code == 200, response.get_json()
    _single, data = read_mixed(lrs.get_params(statementId=statement["id"], attachments="true"))
    assert list(data.values()) == [token]


def test_a_signature_without_a_certificate_is_accepted_on_its_payload(lrs, signer):
    key, _certificate = signer
    statement = stmt(id=str(uuid.uuid4()))
    document, parts = signed(statement, jws(statement, key))
    assert send(lrs, document, parts).status_code == 200


def test_signatures_that_do_not_hold_are_refused(lrs, db, signer):
    key, certificate = signer
    statement = stmt(id=str(uuid.uuid4()))
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = {
        "use RS256, RS384 or RS512": jws(statement, key, "HS256"),
        "is not the statement it is attached to": jws(stmt(actor={"mbox": "mailto:x@y.org"}), key),
        "does not verify with its certificate": jws(statement, other_key, x5c=certificate),
        "not a JWS in compact form": b"not-a-jws",
        "payload is not valid JSON": ".".join(
            b64url(piece) for piece in (b'{"alg":"RS256"}', b"{broken", b"x")
        ).encode(),
    }
    for reason, token in cases.items():
        document, parts = signed(statement, token)
        response = send(lrs, document, parts)
        assert response.status_code == 400, reason
        assert reason in response.get_json()["message"]
    document, parts = signed(statement, jws(statement, key), "text/plain; charset=ascii")
    response = send(lrs, document, parts)
    assert "must be application/octet-stream" in response.get_json()["message"]
    missing = {**signed(statement, jws(statement, key))[0]}
    response = send(lrs, missing, [])
    assert "its JWS was not sent" in response.get_json()["message"]
    assert stored_count(db) == 0


# --- privacy ----------------------------------------------------------------------------------


def test_attachments_are_in_the_persons_export_and_go_on_erasure(lrs, db, make):
    pupil = make.user(Role.PUPIL, make.academy("Export Academy"), email="ruby@example.org")
    db.commit()
    ruby = {"mbox": "mailto:ruby@example.org"}
    mine = stmt(actor=ruby, attachments=[described(CERTIFICATE_TEXT)])
    # Anna's work, with Ruby named as the instructor: Anna's file is not Ruby's to receive.
    annas = stmt(actor=ANNA, context={"instructor": ruby}, attachments=[described(b"Anna's essay")])
    sent = send(lrs, [mine, annas], [part(CERTIFICATE_TEXT), part(b"Anna's essay")])
    assert sent.status_code == 200

    exported = export_statements(db, pupil.id)
    [statement] = exported["statements"]
    [attachment] = statement["attachments"]
    assert base64.b64decode(attachment["content_base64"]) == CERTIFICATE_TEXT
    assert attachment["content_type"] == "text/plain"
    [mention] = exported["mentioned_in"]
    assert mention["attachments"] == []
    assert b"Anna's essay" not in json.dumps(exported).encode()

    erase_statements(db, pupil.id)
    db.commit()
    left = db.scalars(select(StatementAttachment.content)).all()
    assert left == [b"Anna's essay"]
