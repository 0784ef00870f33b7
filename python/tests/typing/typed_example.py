"""A typed use of the package; `mypy --strict` must accept it (tests/test_types.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import List, Optional

import llamacloud_batches as lb


def newest_running(client: lb.Client, since: datetime) -> List[str]:
    ids: List[str] = []
    for batch in client.batches.list(status="RUNNING", created_at_on_or_after=since, max_items=10):
        status: str = batch.status
        created: Optional[datetime] = batch.created_at
        if created is not None and status == "RUNNING":
            ids.append(batch.id)
    return ids


def run_one(emulator: lb.Emulator) -> str:
    client = lb.Client(api_key=emulator.api_key, base_url=emulator.base_url, max_retries=3)
    directory: str = emulator.create_directory_with_files("docs", files=2)
    batch = client.batches.create(
        source_directory_id=directory,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
        idempotency_key="run-1",
    )
    try:
        done = client.batches.wait(batch.id, timeout=60.0, expand=["results"])
    except lb.WaitTimeoutError as error:
        return error.status
    except lb.APIStatusError as error:
        code: int = error.status_code
        return f"{code} {error.request_id} {error.body!r}"
    raw: str = done.raw
    return raw


def run_folder(client: lb.Client, folder: str) -> List[str]:
    uploaded: List[str] = []

    def on_event(event: lb.RunEvent) -> None:
        kind: str = event.kind
        if kind == "upload_finished":
            uploaded.append(f"{event.path} {event.directory_file_id}")

    try:
        result: lb.RunResult = client.batches.run(
            [folder],
            job_type="parse_v2",
            configuration_id="cfg-PARSE_FAST",
            timeout=60.0,
            upload_rate="50/5s",
            on_event=on_event,
        )
    except KeyboardInterrupt as interrupt:
        resume: List[str] = getattr(interrupt, "resume_directory_ids", [])
        return resume
    jobs: List[str] = []
    for path, file in result.results.items():
        if file.job_reference is not None:
            jobs.append(f"{path} {file.job_reference['id']}")
    ok: bool = result.ok
    return jobs if ok else list(result.errors.values())


def export(client: lb.Client, batch_id: str, out: str) -> int:
    result = client.batches.results(batch_id, out=out, output_form="markdown", export_concurrency=4)
    summary: Optional[lb.RunSummary] = result.summary
    return summary.done if summary is not None else 0


def plan_folder(client: lb.Client, folder: str) -> int:
    plan: lb.RunPlan = client.batches.run(
        folder,
        job_type="parse_v2",
        configuration_id="cfg-PARSE_FAST",
        dry_run=True,
        follow_links=True,
        webhook_configurations=[
            {"webhook_url": "http://127.0.0.1:9/hook", "webhook_events": ["batch.success"]}
        ],
    )
    for path, planned in plan.files.items():
        action: Optional[str] = planned.action
        print(path, planned.bytes, planned.directory, action)
    return plan.bytes


if __name__ == "__main__":
    with lb.Emulator(processing_ms=5) as emulator:
        print(run_one(emulator))
        client = lb.Client(api_key=emulator.api_key, base_url=emulator.base_url)
        print(newest_running(client, datetime(2026, 1, 1, tzinfo=timezone.utc)))
