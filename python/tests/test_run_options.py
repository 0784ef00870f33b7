"""`client.batches.run`'s options beyond the basics, as the command line and C have them:
`dry_run`, `follow_links`, `allow_other_files`, `webhook_configurations`,
`webhook_configuration_ids`, `export_concurrency`; against the emulator."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

import llamacloud_batches as lb
from llamacloud_batches import Client, Emulator
from llamacloud_batches.webhooks import WebhookReceiver

PARSE = {"job_type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}


def client_of(emulator: Emulator) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=30)


def api_requests(emulator: Emulator) -> List[Dict[str, Any]]:
    """The API requests the emulator served (its latest 200), newest first."""
    request = urllib.request.Request(
        emulator.base_url + "/emulator/requests",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        items = json.load(response)["items"]
    return [item for item in items if item["path"].startswith("/api/")]


def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "notes").mkdir(parents=True)
    (docs / "a.txt").write_text("alpha")
    (docs / "b.md").write_text("# beta")
    (docs / "notes" / "c.txt").write_text("gamma")
    return docs


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_a_dry_run_gives_the_plan_and_sends_nothing(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("far away")
    os.symlink(outside, docs / "link.txt")
    client = client_of(llamacloud_emulator)
    events: List[lb.RunEvent] = []
    plan = client.batches.run(docs, exclude="*.md", dry_run=True, on_event=events.append, **PARSE)

    assert isinstance(plan, lb.RunPlan)
    assert list(plan.files) == [str(docs / "a.txt"), str(docs / "notes" / "c.txt")]
    a = plan.files[str(docs / "a.txt")]
    assert (a.path, a.bytes, a.directory, a.action) == (
        str(docs / "a.txt"),
        5,
        "new directory 1 of 1",
        None,
    )
    assert plan.bytes == 10 and plan.directories == ["new directory 1 of 1"]
    assert {path: skipped.reason for path, skipped in plan.skipped.items()} == {
        str(docs / "b.md"): "filtered",
        str(docs / "link.txt"): "link_out_of_folder",
    }
    assert plan.skipped[str(docs / "link.txt")].target == str(outside)
    assert plan.stderr.splitlines() == [
        f"skipped {docs / 'link.txt'}: a symbolic link out of the folder given (to "
        f"{outside}); follow_links=True follows it",
        "2 files, 10 bytes; nothing was sent (dry_run)",
    ]
    assert api_requests(llamacloud_emulator) == []
    assert events == []

    # Into a directory given, the plan names it; follow_links takes the link in.
    followed = client.batches.run(
        docs, directory_id="dir-given", follow_links=True, dry_run=True, **PARSE
    )
    assert str(docs / "link.txt") in followed.files
    assert followed.directories == ["dir-given"]
    assert api_requests(llamacloud_emulator) == []


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_a_dry_run_with_out_says_what_a_rerun_would_skip(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    out = tmp_path / "out"
    client = client_of(llamacloud_emulator)
    assert client.batches.run(docs, out=out, **PARSE).ok
    (docs / "d.txt").write_text("delta")
    (docs / "e.txt").write_text("alpha")  # the bytes of a.txt, whose job is done
    (docs / "f.txt").write_text("delta")  # the bytes of d.txt, sent once for both
    (out / "b.md.md").unlink()
    sent_before = len(api_requests(llamacloud_emulator))

    plan = client.batches.run(docs, out=out, dry_run=True, **PARSE)
    actions = {Path(path).name: file.action for path, file in plan.files.items()}
    assert actions == {
        "a.txt": "already_done",
        "b.md": "fetch_output",
        "c.txt": "already_done",
        "d.txt": "send",
        "e.txt": "fetch_output",
        "f.txt": "same_bytes",
    }
    assert plan.files[str(docs / "f.txt")].same_bytes_as == str(docs / "d.txt")
    assert plan.files[str(docs / "a.txt")].job_status == "COMPLETED"
    assert (plan.files[str(docs / "b.md")].job_id or "").startswith("pjb-")
    assert plan.files[str(docs / "d.txt")].output == "d.txt.md"
    assert len(plan.files[str(docs / "d.txt")].sha256 or "") == 64
    assert plan.stderr.splitlines()[-1] == (
        "1 files would be sent, 2 skipped as done before, 2 outputs fetched again without a "
        "new job, 1 copied from a file with the same bytes; nothing was sent (dry_run)"
    )
    assert len(api_requests(llamacloud_emulator)) == sent_before
    assert not (out / "d.txt.md").exists()


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_follow_links_sends_the_file_a_link_leads_to(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("far away")
    os.symlink(outside, docs / "link.txt")
    client = client_of(llamacloud_emulator)
    left = client.batches.run(docs, **PARSE)
    assert str(docs / "link.txt") not in left.results
    followed = client.batches.run(docs, follow_links=True, **PARSE)
    assert followed.ok
    link = followed.results[str(docs / "link.txt")]
    assert link.status == "ok" and link.job_reference is not None
    parsed = client.parse.get(link.job_reference["id"], expand=["markdown_full"])
    assert parsed.markdown_full == "far away"


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_allow_other_files_runs_over_a_directory_holding_more(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    directory = llamacloud_emulator.create_directory_with_files("shared", 2)
    client = client_of(llamacloud_emulator)
    with pytest.raises(ValueError, match="allow_other_files=True") as refused:
        client.batches.run(docs, directory_id=directory, **PARSE)
    assert "file-0001.txt" in str(refused.value)
    result = client.batches.run(docs, directory_id=directory, allow_other_files=True, **PARSE)
    assert result.ok and result.directory_ids == [directory]
    assert len(result.results) == 3
    (batch_id,) = {file.batch_id for file in result.results.values()}
    batch = client.batches.get(str(batch_id), expand=["results"])
    assert batch.source_directory_id == directory
    assert batch.results is not None and len(batch.results) == 5


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_webhooks_given_to_run_reach_the_receiver(
    llamacloud_emulator: Emulator, llamacloud_webhooks: WebhookReceiver, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    client = client_of(llamacloud_emulator)
    saved = save_webhook(llamacloud_emulator, llamacloud_webhooks, ["batch.success"])
    result = client.batches.run(
        docs,
        webhook_configurations=[
            llamacloud_webhooks.configuration(
                ["batch.success"], webhook_headers={"X-Hook": "inline"}
            )
        ],
        webhook_configuration_ids=[saved],
        **PARSE,
    )
    assert result.ok
    (batch_id,) = {file.batch_id for file in result.results.values()}
    # One delivery per configuration: the inline one and the saved one.
    events = [llamacloud_webhooks.next_event(timeout=60) for _ in range(2)]
    assert [(event.event_type, event.data.id) for event in events] == [
        ("batch.success", batch_id)
    ] * 2
    deliveries = llamacloud_emulator.webhook_deliveries(batch_id)
    assert sorted(d["status"] for d in deliveries) == ["delivered", "delivered"]
    assert {d["webhook_url"] for d in deliveries} == {llamacloud_webhooks.url}
    assert llamacloud_webhooks.rejected == []


def save_webhook(emulator: Emulator, receiver: WebhookReceiver, events: List[str]) -> str:
    """A saved webhook configuration (`whc-…`) delivering to `receiver`."""
    body = json.dumps(receiver.configuration(events)).encode()
    request = urllib.request.Request(
        emulator.base_url + "/api/v1/beta/webhook-configs",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {emulator.api_key}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        saved: str = json.load(response)["id"]
    return saved


SECRET = "whsec_do-not-show-this"
HEADER = "Bearer header-value-to-hide"


@pytest.mark.parametrize(
    ("hooks", "error", "message"),
    [
        ("http://127.0.0.1:9/hook", TypeError, "webhook_configurations: expected a list of dicts"),
        ([SECRET], TypeError, r"webhook_configurations\[0\]: expected a dict"),
        (
            [{"url": "http://127.0.0.1:9/hook", "webhook_signing_secret": SECRET}],
            ValueError,
            r"webhook_configurations\[0\]: unknown key `url`; accepted: webhook_url, "
            "webhook_events, webhook_headers, webhook_signing_secret, webhook_output_format",
        ),
        (
            [{"webhook_signing_secret": SECRET}],
            ValueError,
            r"webhook_configurations\[0\].webhook_url: required",
        ),
        (
            [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_events": ["batch.done"]}],
            ValueError,
            r"webhook_configurations\[0\].webhook_events\[0\]: `batch.done` is not a webhook "
            "event; accepted: batch.pending, batch.running, batch.success, batch.error, "
            "batch.cancelled",
        ),
        (
            [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_events": []}],
            ValueError,
            r"webhook_configurations\[0\].webhook_events: empty",
        ),
        (
            [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_output_format": "xml"}],
            ValueError,
            r"`xml` is not an output format; accepted: string, json",
        ),
        (
            [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_signing_secret": 12345}],
            TypeError,
            r"webhook_configurations\[0\].webhook_signing_secret: expected str, got int",
        ),
        (
            [{"webhook_url": 5, "webhook_signing_secret": SECRET}],
            TypeError,
            r"webhook_configurations\[0\].webhook_url: expected str, got int",
        ),
        (
            [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_headers": {"X-Token": 7}}],
            TypeError,
            r"webhook_configurations\[0\].webhook_headers\[\"X-Token\"\]: expected str",
        ),
        (
            [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_headers": HEADER}],
            TypeError,
            r"webhook_configurations\[0\].webhook_headers: expected a dict",
        ),
    ],
)
def test_bad_webhook_configurations_are_named_without_their_secrets(
    llamacloud_emulator: Emulator, tmp_path: Path, hooks: Any, error: type, message: str
) -> None:
    docs = folder(tmp_path)
    with pytest.raises(error, match=message) as refused:
        client_of(llamacloud_emulator).batches.run(docs, webhook_configurations=hooks, **PARSE)
    assert SECRET not in str(refused.value) and HEADER not in str(refused.value)
    assert api_requests(llamacloud_emulator) == []


@pytest.mark.llamacloud_emulator(processing_ms=60_000)
def test_the_resume_call_names_the_webhooks_without_their_secrets(
    llamacloud_emulator: Emulator, llamacloud_webhooks: WebhookReceiver, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    saved = save_webhook(llamacloud_emulator, llamacloud_webhooks, ["batch.success"])
    result = client_of(llamacloud_emulator).batches.run(
        docs,
        timeout=0.3,
        webhook_configurations=[
            {
                "webhook_url": "http://127.0.0.1:9/hook",
                "webhook_events": ["batch.success"],
                "webhook_signing_secret": SECRET,
                "webhook_headers": {"Authorization": HEADER},
            }
        ],
        webhook_configuration_ids=saved,
        follow_links=True,
        allow_other_files=True,
        **PARSE,
    )
    assert result.timed_out
    (directory,) = result.directory_ids
    assert result.stderr.splitlines()[-1] == (
        f"to resume, run: client.batches.run(['{docs}'], job_type='parse_v2', "
        "configuration_id='cfg-PARSE_FAST', webhook_configurations=[{'webhook_url': "
        "'http://127.0.0.1:9/hook', 'webhook_events': ['batch.success'], 'webhook_headers': "
        "{'Authorization': Ellipsis}, 'webhook_signing_secret': Ellipsis}], "
        f"webhook_configuration_ids=['{saved}'], follow_links=True, allow_other_files=True, "
        f"timeout=0.3, directory_id=['{directory}'])"
    )
    for shown in (result.stderr, repr(result)):
        assert SECRET not in shown and HEADER not in shown


def test_bad_option_values_name_the_option(llamacloud_emulator: Emulator, tmp_path: Path) -> None:
    docs = folder(tmp_path)
    client = client_of(llamacloud_emulator)
    with pytest.raises(ValueError, match="export_concurrency: 0 is out of range; accepted: 1 to 64"):
        client.batches.run(docs, out=tmp_path / "out", export_concurrency=0, **PARSE)
    with pytest.raises(ValueError, match="export_concurrency: -2 is out of range"):
        client.batches.run(docs, export_concurrency=-2, **PARSE)
    with pytest.raises(TypeError, match="webhook_configuration_ids: expected str"):
        client.batches.run(docs, webhook_configuration_ids=[3], **PARSE)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="dry_run"):
        client.batches.run(docs, dry_run="yes", **PARSE)  # type: ignore[call-overload]
    assert api_requests(llamacloud_emulator) == []
