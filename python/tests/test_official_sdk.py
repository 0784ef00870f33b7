"""The fixtures with the official SDK (llama-cloud 2.19.0), built from the environment as
application code builds it: the getting-started flow, a fault drill, a cancel, and webhooks
(inline and saved) delivered to the webhook fixture."""

from __future__ import annotations

import time
from typing import List

import httpx
import pytest
from llama_cloud import ConflictError, LlamaCloud

import llamacloud_batches
from llamacloud_batches.webhooks import WebhookReceiver

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


def wait_terminal(client: LlamaCloud, batch_id: str) -> List[str]:
    """The statuses a batch went through until it finished (polled, bounded in count)."""
    seen: List[str] = []
    for _ in range(2000):
        status = client.batches.get(batch_id).status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in TERMINAL:
            return seen
        time.sleep(0.02)
    raise AssertionError(f"batch {batch_id} never finished: {seen}")


@pytest.mark.llamacloud_emulator(processing_ms=20)
def test_getting_started_with_the_sdk_from_the_environment(
    llamacloud_env: llamacloud_batches.Emulator,
) -> None:
    client = LlamaCloud()  # LLAMA_CLOUD_API_KEY and LLAMA_CLOUD_BASE_URL, as in production
    assert str(client.base_url).rstrip("/") == llamacloud_env.base_url

    directory = client.beta.directories.create(name="getting-started", type="ephemeral")
    for name, content in [("invoice.pdf", b"%PDF-1.7"), ("contract.docx", b"PK docx")]:
        client.beta.directories.files.upload(directory.id, upload_file=(name, content))
    batch = client.batches.create(
        source_directory_id=directory.id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_AGENTIC"}},
    )
    assert batch.status == "PENDING"

    seen = wait_terminal(client, batch.id)
    assert seen[-1] == "COMPLETED" and "RUNNING" in seen, seen
    done = client.batches.get(batch.id, expand=["results"])
    assert done.results is not None and len(done.results) == 2
    assert all(r.job_reference is not None for r in done.results)
    assert [b.id for b in client.batches.list()] == [batch.id]


@pytest.mark.llamacloud_emulator(fault_rate=0.3, processing_ms=10, seed=40)
def test_fault_drill_the_sdk_retries_through_faults(
    llamacloud_env: llamacloud_batches.Emulator,
) -> None:
    attempts: List[str] = []
    statuses: List[int] = []
    http_client = httpx.Client(
        event_hooks={
            "request": [lambda request: attempts.append(request.url.path)],
            "response": [lambda response: statuses.append(response.status_code)],
        }
    )
    # Enough retries that no operation runs out; `slow` faults hold 2 s, within the timeout.
    client = LlamaCloud(max_retries=8, timeout=20.0, http_client=http_client)

    listed = [b.id for b in client.batches.list(page_size=10)]
    assert len(listed) == 40 and len(set(listed)) == 40
    for batch_id in listed[:10]:
        assert client.batches.get(batch_id).id == batch_id

    # Each operation ended with one successful answer; every attempt beyond those was a
    # retry after a fault: an error status (429/500/503), a reset or a cut body.
    successes = sum(1 for status in statuses if 200 <= status < 300)
    retries = len(attempts) - successes
    assert retries > 0, (attempts, statuses)
    assert any(status in (429, 500, 503) for status in statuses), statuses


@pytest.mark.llamacloud_emulator(processing_ms=60_000)
def test_cancel_with_the_sdk(llamacloud_env: llamacloud_batches.Emulator) -> None:
    client = LlamaCloud()
    directory_id = llamacloud_env.create_directory_with_files("to-cancel", 5)
    batch = client.batches.create(
        source_directory_id=directory_id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
    )
    cancelled = client.batches.cancel(batch.id)
    assert cancelled.id == batch.id and cancelled.status == "CANCELLED"
    assert client.batches.get(batch.id).status == "CANCELLED"
    with pytest.raises(ConflictError) as conflict:
        client.batches.cancel(batch.id)
    assert "cannot be cancelled" in conflict.value.body["detail"]  # type: ignore[index]


# Slow enough that the second batch is cancelled before it completes.
@pytest.mark.llamacloud_emulator(processing_ms=300)
def test_the_sdks_webhooks_reach_the_fixture(
    llamacloud_env: llamacloud_batches.Emulator, llamacloud_webhooks: WebhookReceiver
) -> None:
    client = LlamaCloud()
    directory_id = llamacloud_env.create_directory_with_files("hooked", 2)
    batch = client.batches.create(
        source_directory_id=directory_id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
        webhook_configurations=[
            {
                "webhook_url": llamacloud_webhooks.url,
                "webhook_signing_secret": llamacloud_webhooks.secret,
                "webhook_events": ["batch.running", "batch.success"],
            }
        ],
    )
    events = [llamacloud_webhooks.next_event(timeout=60) for _ in range(2)]
    assert sorted(event.event_type for event in events) == ["batch.running", "batch.success"]
    assert {event.data.id for event in events} == {batch.id}
    # The event announces the status `get` reads.
    success = next(event for event in events if event.event_type == "batch.success")
    assert client.batches.get(batch.id).status == success.data.status == "COMPLETED"

    # A saved configuration, named by a batch that is then cancelled.
    saved = client.webhook_configs.create(
        webhook_url=llamacloud_webhooks.url,
        webhook_signing_secret=llamacloud_webhooks.secret,
        webhook_events=["batch.cancelled"],
    )
    assert saved.has_secret
    hooked = client.batches.create(
        source_directory_id=directory_id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
        webhook_configuration_ids=[saved.id],
    )
    client.batches.cancel(hooked.id)
    cancelled = llamacloud_webhooks.next_event(timeout=60)
    assert (cancelled.event_type, cancelled.data.id) == ("batch.cancelled", hooked.id)
    assert llamacloud_webhooks.rejected == []
