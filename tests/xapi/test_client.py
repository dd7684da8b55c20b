"""LrsClient against a real (fake) LRS: what counts as delivered, retried or rejected; back-off."""

from __future__ import annotations

import base64
import random
import socket
import uuid
from datetime import UTC, datetime

import pytest

from elearn.xapi.builders.statements import QuizAttempted, statement_for
from elearn.xapi.forwarding.client import (
    REASON_LIMIT,
    Delivery,
    LrsClient,
    Outcome,
    backoff_delay,
    classify,
    parse_retry_after,
)


def make_statement(statement_id: str | None = None, title: str = "SMART quiz") -> dict:
    return statement_for(
        QuizAttempted(course_id="smart-ks2", quiz_title=title),
        statement_id=statement_id or str(uuid.uuid4()),
        base_url="https://school.example",
        actor_name="p-1001",
        timestamp=datetime(2024, 9, 1, 9, 30, tzinfo=UTC),
        registration=uuid.UUID("ec531277-b57b-4c15-8d91-d292c5b2b8f7"),
    )


@pytest.fixture
def client(fake_lrs):
    return LrsClient(fake_lrs.endpoint, "elearn", "s3cret", timeout=2.0)


def put(client: LrsClient, statement: dict) -> Delivery:
    return client.put_statement(statement["id"], statement)


def test_a_new_statement_is_delivered_with_204_and_stored(client, fake_lrs):
    statement = make_statement()
    delivery = put(client, statement)
    assert delivery.outcome is Outcome.DELIVERED
    assert delivery.status == 204
    assert fake_lrs.statements[statement["id"]] == statement


def test_the_request_is_a_put_with_id_credentials_version_and_json(client, fake_lrs):
    statement = make_statement()
    put(client, statement)
    [request] = fake_lrs.requests
    assert request.method == "PUT"
    assert request.path == "/xapi/statements"
    assert request.query == {"statementId": statement["id"]}
    assert request.header("X-Experience-API-Version") == "1.0.3"
    assert request.header("Authorization") == "Basic " + base64.b64encode(b"elearn:s3cret").decode()
    assert request.header("Content-Type") == "application/json"
    assert request.json() == statement


@pytest.mark.parametrize("suffix", ["", "/"])
def test_the_endpoint_may_or_may_not_end_with_a_slash(fake_lrs, suffix):
    endpoint = fake_lrs.endpoint.rstrip("/") + suffix
    delivery = put(LrsClient(endpoint, "u", "p"), make_statement())
    assert delivery.outcome is Outcome.DELIVERED
    assert fake_lrs.requests[0].path == "/xapi/statements"


def test_the_xapi_version_header_can_be_2_0(fake_lrs):
    put(LrsClient(fake_lrs.endpoint, "u", "p", version="2.0.0"), make_statement())
    assert fake_lrs.requests[0].header("X-Experience-API-Version") == "2.0.0"


def test_sending_the_same_statement_again_is_still_delivered(client, fake_lrs):
    statement = make_statement()
    assert put(client, statement).status == 204
    again = put(client, statement)
    assert (again.outcome, again.status) == (Outcome.DELIVERED, 204)
    assert len(fake_lrs.statements) == 1


def test_409_for_an_id_the_lrs_already_holds_counts_as_delivered(client, fake_lrs):
    original = make_statement()
    put(client, original)
    clash = make_statement(original["id"], title="Another quiz")
    clash["object"]["id"] += "-other"
    delivery = put(client, clash)
    assert delivery.outcome is Outcome.DELIVERED
    assert delivery.status == 409
    assert "already stored" in delivery.reason
    assert fake_lrs.statements[original["id"]] == original


def test_503_with_retry_after_is_retried_after_the_given_seconds(client, fake_lrs):
    fake_lrs.fail_next(status=503, retry_after=7, body="LRS is being upgraded")
    statement = make_statement()
    delivery = put(client, statement)
    assert delivery == Delivery(Outcome.RETRY, 503, 7.0, "LRS is being upgraded")
    assert fake_lrs.statements == {}
    assert put(client, statement).outcome is Outcome.DELIVERED


def test_retry_after_as_an_http_date_in_the_past_means_now(client, fake_lrs):
    fake_lrs.fail_next(status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    delivery = put(client, make_statement())
    assert (delivery.outcome, delivery.retry_after) == (Outcome.RETRY, 0.0)


@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_throttling_and_server_errors_are_retried(client, fake_lrs, status):
    fake_lrs.fail_next(status=status)
    delivery = put(client, make_statement())
    assert (delivery.outcome, delivery.status, delivery.retry_after) == (
        Outcome.RETRY,
        status,
        None,
    )
    assert delivery.reason  # never blank, even when the LRS sends no body


def test_a_connection_closed_without_an_answer_is_retried(client, fake_lrs):
    fake_lrs.drop_next()
    delivery = put(client, make_statement())
    assert (delivery.outcome, delivery.status) == (Outcome.RETRY, None)
    assert "closed" in delivery.reason
    assert fake_lrs.statements == {}


def test_a_reset_connection_is_retried(client, fake_lrs):
    fake_lrs.reset_next()
    delivery = put(client, make_statement())
    assert (delivery.outcome, delivery.status) == (Outcome.RETRY, None)
    assert "reset" in delivery.reason


def test_an_lrs_down_for_several_requests_loses_nothing(client, fake_lrs):
    fake_lrs.drop_next(2)
    fake_lrs.reset_next()
    statement = make_statement()
    outcomes = [put(client, statement).outcome for _ in range(4)]
    assert outcomes == [Outcome.RETRY] * 3 + [Outcome.DELIVERED]
    assert [r.status for r in fake_lrs.requests] == [None, None, None, 204]
    assert fake_lrs.statements[statement["id"]] == statement


def test_a_slow_lrs_is_given_up_on_at_the_timeout_and_retried(fake_lrs):
    client = LrsClient(fake_lrs.endpoint, "u", "p", timeout=0.2)
    fake_lrs.delay_next(seconds=30)
    statement = make_statement()
    delivery = put(client, statement)
    assert (delivery.outcome, delivery.status) == (Outcome.RETRY, None)
    assert "no answer within 0.2 s" in delivery.reason
    # The retry reaches the LRS at once; the stalled first attempt is harmless.
    assert put(client, statement).outcome is Outcome.DELIVERED


def test_a_refused_connection_is_retried():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delivery = put(LrsClient(f"http://127.0.0.1:{port}/xapi/", "u", "p"), make_statement())
    assert (delivery.outcome, delivery.status) == (Outcome.RETRY, None)
    assert "refused" in delivery.reason


def test_a_statement_the_lrs_rejects_goes_to_dead_letters_with_its_reason(client, fake_lrs):
    statement = make_statement()
    fake_lrs.reject(statement["id"], "actor is not enrolled on this LRS")
    delivery = put(client, statement)
    assert delivery == Delivery(Outcome.REJECTED, 400, None, "actor is not enrolled on this LRS")


def test_an_invalid_statement_is_rejected_with_the_lrs_explanation(client, fake_lrs):
    statement = make_statement()
    statement["actor"]["account"]["homePage"] = "school"
    delivery = put(client, statement)
    assert (delivery.outcome, delivery.status) == (Outcome.REJECTED, 400)
    assert delivery.reason == "actor.account.homePage must be an IRI"


def test_a_long_rejection_reason_is_trimmed(client, fake_lrs):
    statement = make_statement()
    fake_lrs.reject(statement["id"], "x" * 5000, status=422)
    delivery = put(client, statement)
    assert delivery.outcome is Outcome.REJECTED
    assert len(delivery.reason) == REASON_LIMIT
    assert delivery.reason.endswith("…")


def test_wrong_credentials_are_rejected_and_right_ones_delivered(fake_lrs):
    fake_lrs.require_credentials("elearn", "right")
    wrong = put(LrsClient(fake_lrs.endpoint, "elearn", "wrong"), make_statement())
    assert (wrong.outcome, wrong.status) == (Outcome.REJECTED, 401)
    right = put(LrsClient(fake_lrs.endpoint, "elearn", "right"), make_statement())
    assert right.outcome is Outcome.DELIVERED


def test_a_statement_whose_id_differs_from_the_statement_id_is_a_programming_error(client):
    with pytest.raises(ValueError, match="does not match"):
        client.put_statement(str(uuid.uuid4()), make_statement())


def test_the_password_never_appears_in_the_clients_repr(fake_lrs):
    text = repr(LrsClient(fake_lrs.endpoint, "elearn", "s3cret"))
    assert "s3cret" not in text
    assert base64.b64encode(b"elearn:s3cret").decode() not in text


@pytest.mark.parametrize(
    "endpoint", ["lrs.example.org/xapi", "ftp://lrs.example.org/", "https://lrs.example.org/?a=1"]
)
def test_a_bad_endpoint_is_refused(endpoint):
    with pytest.raises(ValueError):
        LrsClient(endpoint, "u", "p")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (409, Outcome.DELIVERED),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (301, Outcome.RETRY),
        (400, Outcome.REJECTED),
        (401, Outcome.REJECTED),
        (403, Outcome.REJECTED),
        (404, Outcome.REJECTED),
        (413, Outcome.REJECTED),
    ],
)
def test_status_codes_map_to_outcomes(status, outcome):
    assert classify(status) is outcome


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = datetime(2024, 9, 1, 9, 30, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Sun, 01 Sep 2024 09:31:30 GMT", now) == 90.0
    assert parse_retry_after("Sun, 01 Sep 2024 09:00:00 GMT", now) == 0.0
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None


# --- back-off ---------------------------------------------------------------------------------


def test_backoff_is_reproducible_with_a_seeded_generator():
    first = [backoff_delay(n, None, random.Random(42)) for n in range(1, 12)]
    second = [backoff_delay(n, None, random.Random(42)) for n in range(1, 12)]
    assert first == second


def test_backoff_stays_within_the_doubling_ceiling_and_uses_all_of_it():
    rng = random.Random(7)
    for attempt in range(1, 10):
        ceiling = 2.0 ** (attempt - 1)
        delays = [backoff_delay(attempt, None, rng) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        # full jitter: spread over the whole range, not bunched at the top
        assert min(delays) < 0.1 * ceiling
        assert max(delays) > 0.9 * ceiling


def test_backoff_never_exceeds_the_cap_however_many_failures():
    rng = random.Random(3)
    delays = [backoff_delay(attempt, None, rng, cap=60.0) for attempt in range(1, 2000)]
    assert max(delays) <= 60.0
    assert max(delays) > 50.0


def test_backoff_is_never_shorter_than_retry_after():
    rng = random.Random(11)
    assert all(backoff_delay(1, 30.0, rng) >= 30.0 for _ in range(200))
    assert all(backoff_delay(12, 30.0, rng) >= 30.0 for _ in range(200))


def test_a_retry_after_beyond_the_cap_is_held_to_the_cap():
    assert backoff_delay(1, 86_400.0, random.Random(1), cap=300.0) == 300.0


def test_backoff_scales_with_the_base_delay():
    rng = random.Random(5)
    delays = [backoff_delay(3, None, rng, base=0.5) for _ in range(300)]
    assert max(delays) <= 2.0
    assert max(delays) > 1.8


def test_statements_share_one_connection_while_the_lrs_keeps_it_open(client, fake_lrs):
    sent = [make_statement() for _ in range(3)]
    assert [put(client, statement).outcome for statement in sent] == [Outcome.DELIVERED] * 3
    assert len({request.client_port for request in fake_lrs.requests}) == 1
    client.close()


def test_a_connection_the_lrs_closed_while_idle_is_replaced_and_nothing_is_lost(client, fake_lrs):
    fake_lrs.close_after_next()
    first, second = make_statement(), make_statement()
    assert put(client, first).outcome is Outcome.DELIVERED
    assert put(client, second).outcome is Outcome.DELIVERED
    assert set(fake_lrs.statements) == {first["id"], second["id"]}
    requests = fake_lrs.requests
    assert [r.status for r in requests] == [204, 204]
    assert requests[0].client_port != requests[1].client_port


def test_a_connection_that_fails_when_new_is_not_tried_again(client, fake_lrs):
    fake_lrs.drop_next()
    delivery = put(client, make_statement())
    assert delivery.outcome is Outcome.RETRY
    assert len(fake_lrs.requests) == 1
