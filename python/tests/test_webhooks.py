"""`webhooks.verify`, and the `llamacloud_webhooks` receiver with the emulator's deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import datetime

import pytest

from llamacloud_batches import Client, Emulator, WebhookVerificationError, webhooks
from llamacloud_batches.webhooks import WebhookReceiver

SECRET = "whsec-python-test"
BODY = json.dumps(
    {
        "event_type": "batch.success",
        "created_at": "2026-11-02T09:17:42Z",
        "data": {
            "id": "bat-1",
            "config": {"job": {"configuration_id": "cfg-1", "type": "parse_v2"}},
            "project_id": "prj-1",
            "source_directory_id": "dir-1",
            "status": "COMPLETED",
        },
    },
    separators=(",", ":"),
).encode()
PARSE = {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}}


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_the_right_signature_gives_the_event() -> None:
    event = webhooks.verify(BODY, sign(BODY), SECRET)
    assert event.event_type == "batch.success"
    assert event.created_at == datetime.fromisoformat("2026-11-02T09:17:42+00:00")
    assert (event.data.id, event.data.status) == ("bat-1", "COMPLETED")
    assert event.data.config.job.type == "parse_v2"
    # The body as text, and a bytearray, are the same bytes.
    assert webhooks.verify(BODY.decode(), sign(BODY), SECRET).data.id == "bat-1"
    assert webhooks.verify(bytearray(BODY), sign(BODY), SECRET).data.id == "bat-1"


@pytest.mark.parametrize(
    ("body", "signature", "secret", "reason", "message"),
    [
        (BODY, sign(BODY, "whsec-other"), SECRET, "signature_mismatch", "does not match"),
        (BODY.replace(b"COMPLETED", b"COMPLETES"), sign(BODY), SECRET, "signature_mismatch", "changed"),
        (BODY, None, SECRET, "missing_signature", "no LC-Signature header"),
        (BODY, "sha256=abc", SECRET, "malformed_signature", "64 hex digits"),
        (BODY, sign(BODY)[7:], SECRET, "malformed_signature", "does not start with sha256="),
        (BODY, sign(BODY), "", "empty_secret", "empty"),
        (b'{"a":1}', sign(b'{"a":1}'), SECRET, "invalid_event", "not a webhook event"),
    ],
)
def test_refused_deliveries_say_why(
    body: bytes, signature: str, secret: str, reason: str, message: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=message) as refused:
        webhooks.verify(body, signature, secret)
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError)
    assert SECRET not in str(refused.value)


def test_unknown_event_names_and_fields_are_kept() -> None:
    body = BODY.replace(b"batch.success", b"batch.paused").replace(b'"data"', b'"attempt":2,"data"')
    event = webhooks.verify(body, sign(body), SECRET)
    assert event.event_type == "batch.paused"
    assert event.attempt == 2


def test_the_body_must_be_bytes_or_text() -> None:
    with pytest.raises(TypeError, match="bytes"):
        webhooks.verify(12, sign(BODY), SECRET)  # type: ignore[arg-type]


@pytest.mark.llamacloud_emulator(processing_ms=20)
def test_the_fixture_receives_the_emulators_deliveries(
    llamacloud_emulator: Emulator, llamacloud_webhooks: WebhookReceiver
) -> None:
    client = Client(api_key=llamacloud_emulator.api_key, base_url=llamacloud_emulator.base_url)
    directory = llamacloud_emulator.create_directory_with_files("hooked", 2)
    batch = client.batches.create(
        source_directory_id=directory,
        config=PARSE,
        webhook_configurations=[llamacloud_webhooks.configuration()],
    )
    events = [llamacloud_webhooks.next_event(timeout=60) for _ in range(3)]
    assert {event.data.id for event in events} == {batch.id}
    by_type = {event.event_type: event.data.status for event in events}
    assert by_type == {
        "batch.pending": "PENDING",
        "batch.running": "RUNNING",
        "batch.success": "COMPLETED",
    }
    # An event is received before the receiver's answer reaches the emulator.
    for _ in range(3000):
        deliveries = llamacloud_emulator.webhook_deliveries(batch.id)
        if all(d["status"] == "delivered" for d in deliveries):
            break
        time.sleep(0.01)
    assert [d["status"] for d in deliveries] == ["delivered"] * 3
    assert {d["last_status_code"] for d in deliveries} == {204}
    assert all(d["webhook_url"] == llamacloud_webhooks.url for d in deliveries)
    assert llamacloud_webhooks.secret not in json.dumps(deliveries)
    with pytest.raises(TimeoutError, match="3 received"):
        llamacloud_webhooks.next_event(timeout=0.01)


def test_the_fixture_refuses_a_forged_delivery(llamacloud_webhooks: WebhookReceiver) -> None:
    forged = urllib.request.Request(
        llamacloud_webhooks.url,
        data=BODY,
        headers={"LC-Signature": sign(BODY, "whsec-forger")},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 401
    assert llamacloud_webhooks.events == []
    assert len(llamacloud_webhooks.rejected) == 1
    assert "does not match" in llamacloud_webhooks.rejected[0]


def test_configuration_limits_events_and_adds_fields(llamacloud_webhooks: WebhookReceiver) -> None:
    configuration = llamacloud_webhooks.configuration(
        ["batch.success"], webhook_output_format="json"
    )
    assert configuration == {
        "webhook_url": llamacloud_webhooks.url,
        "webhook_signing_secret": llamacloud_webhooks.secret,
        "webhook_output_format": "json",
        "webhook_events": ["batch.success"],
    }
    assert llamacloud_webhooks.url.startswith("http://127.0.0.1:")
