"""`client.batches.run` in this process: each step told to `on_event`, an exception there or
from a signal handler stopping the work with what the resume needs, and no subprocess."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, List

import pytest

import llamacloud_batches as lb
from llamacloud_batches import Client, Emulator

PARSE = dict(job_type="parse_v2", configuration_id="cfg-PARSE_FAST")


def without_export(result: lb.RunFileResult) -> dict:
    """A file's result as the engine's JSON has it in a run without ``out``: the fields of
    the export left out."""
    export = {
        "output",
        "sha256",
        "job_status",
        "pages",
        "credits",
        "already_done",
        "same_bytes_as",
    }
    return {k: v for k, v in dataclasses.asdict(result).items() if k not in export}


def client_of(emulator: Emulator) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=30)


def texts(folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"f{index:02}.txt").write_text(f"file {index}")
    return folder


def files_in(emulator: Emulator, directory_id: str) -> int:
    """The files the emulator holds in a directory, read over its HTTP API."""
    count, token = 0, ""
    while True:
        url = f"{emulator.base_url}/api/v1/beta/directories/{directory_id}/files?page_size=100"
        request = urllib.request.Request(
            url + (f"&page_token={token}" if token else ""),
            headers={"Authorization": f"Bearer {emulator.api_key}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.load(response)
        count += len(page["items"])
        token = page.get("next_page_token") or ""
        if not token or not page["items"]:
            return count


def assert_stopped(emulator: Emulator, directory_id: str, total: int) -> None:
    """The run's work stopped: no batch over its directory, and no upload after the stop
    (an upload the server had already received when it was abandoned may still land, so
    the count is read once that moment has passed)."""
    time.sleep(0.5)
    uploaded = files_in(emulator, directory_id)
    time.sleep(1.0)
    assert files_in(emulator, directory_id) == uploaded < total
    assert list(client_of(emulator).batches.list(source_directory_id=directory_id)) == []


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_on_event_tells_each_step_in_order_with_its_fields(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("alpha")
    (docs / "b.md").write_text("# beta")
    (docs / "c.csv").write_text("x,y")
    events: List[lb.RunEvent] = []
    result = client_of(llamacloud_emulator).batches.run(
        docs, exclude=["*.csv"], on_event=events.append, **PARSE  # type: ignore[arg-type]
    )
    assert result.ok
    kinds = [event.kind for event in events]
    order = [
        "file_found",
        "file_skipped",
        "uploads_planned",
        "directory_created",
        "upload_started",
        "upload_finished",
        "batch_created",
        "batch_status_changed",
        "file_result",
        "run_finished",
    ]
    assert set(kinds) == set(order), kinds
    # Each kind's events come as one stretch, in this order; only the batch's status and
    # its files' results alternate while it runs.
    stretches = [kind for index, kind in enumerate(kinds) if index == 0 or kinds[index - 1] != kind]
    assert stretches[:7] == order[:7], kinds
    assert set(stretches[7:-1]) == {"batch_status_changed", "file_result"}, kinds
    assert kinds.count("run_finished") == 1 and kinds[-1] == "run_finished"

    def of(kind: str) -> List[lb.RunEvent]:
        return [event for event in events if event.kind == kind]

    a, b = str(docs / "a.txt"), str(docs / "b.md")
    assert [(e.path, e.bytes, e.group) for e in of("file_found")] == [(a, 5, 0), (b, 6, 0)]
    (skipped,) = of("file_skipped")
    assert (skipped.path, skipped.reason) == (str(docs / "c.csv"), "filtered")
    (planned,) = of("uploads_planned")
    assert (planned.files, planned.bytes) == (2, 11)
    (directory,) = result.directory_ids
    assert [(e.group, e.directory_id) for e in of("directory_created")] == [(0, directory)]
    assert sorted((e.path, e.attempt) for e in of("upload_started")) == [(a, 1), (b, 1)]
    finished = {e.path: e for e in of("upload_finished")}
    assert set(finished) == {a, b}
    for path, upload in finished.items():
        assert upload.directory_id == directory and upload.bytes == (5 if path == a else 6)
        assert upload.directory_file_id == result.results[path].directory_file_id
    (created,) = of("batch_created")
    batch_id = result.results[a].batch_id
    assert (created.group, created.directory_id, created.batch_id, created.files) == (
        0,
        directory,
        batch_id,
        2,
    )
    statuses = of("batch_status_changed")
    assert {e.batch_id for e in statuses} == {batch_id}
    assert statuses[-1].status == "COMPLETED" and statuses[-1].mapped == 2
    assert statuses[-1].failed == 0
    results = {e.path: e for e in of("file_result")}
    assert set(results) == {a, b}
    for path, told in results.items():
        assert told.status == "ok" and told.job_reference["type"] == "parse_v2"
        assert told.to_dict() == {"kind": "file_result", **without_export(result.results[path])}
    (end,) = of("run_finished")
    assert (end.files, end.ok, end.failed, end.pending) == (2, 2, 0, 0)

    # The event reads like the official SDK's models, and says what it holds.
    assert end == events[-1] and end != skipped
    assert repr(end) == 'RunEvent(kind="run_finished", files=2, ok=2, failed=0, pending=0)'
    with pytest.raises(AttributeError, match="has no field `batch_id`; its fields: files, ok"):
        end.batch_id
    assert {"kind", "files", "pending"} <= set(dir(end))


class Enough(Exception):
    pass


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_an_exception_in_on_event_cancels_the_run_and_propagates(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = texts(tmp_path / "docs", 12)
    told: List[str] = []

    def on_event(event: lb.RunEvent) -> None:
        told.append(event.kind)
        if event.kind == "upload_finished":
            raise Enough("one is enough")

    client = client_of(llamacloud_emulator)
    with pytest.raises(Enough) as raised:
        client.batches.run(
            docs, upload_concurrency=1, upload_rate="4/s", on_event=on_event, **PARSE  # type: ignore[arg-type]
        )
    assert str(raised.value) == "one is enough"  # its own message, the resume in a note
    # Not called again once it raised.
    assert told[-1] == "upload_finished" and told.count("upload_finished") == 1
    (directory,) = raised.value.resume_directory_ids  # type: ignore[attr-defined]
    (note,) = raised.value.__notes__
    assert note.startswith("to resume, run: client.batches.run([") and f"['{directory}']" in note
    assert_stopped(llamacloud_emulator, directory, 12)

    # The directories given back finish the run: nothing is sent twice.
    result = client.batches.run(docs, directory_id=[directory], **PARSE)  # type: ignore[arg-type]
    assert result.ok and len(result.results) == 12 and result.directory_ids == [directory]
    assert files_in(llamacloud_emulator, directory) == 12


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_a_sigterm_handler_leaving_run_stops_the_uploads(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = texts(tmp_path / "docs", 12)
    uploaded, running = threading.Event(), threading.Event()

    def on_event(event: lb.RunEvent) -> None:
        if event.kind == "upload_finished":
            uploaded.set()

    def terminate() -> None:
        # From another thread, as a service manager would, while `run` waits for uploads.
        if uploaded.wait(60) and running.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        threading.Thread(target=terminate, daemon=True).start()
        running.set()
        with pytest.raises(SystemExit) as raised:
            client_of(llamacloud_emulator).batches.run(
                docs, upload_concurrency=1, upload_rate="2/s", on_event=on_event, **PARSE  # type: ignore[arg-type]
            )
    finally:
        running.clear()
        uploaded.set()
        signal.signal(signal.SIGTERM, previous)
    assert raised.value.code == 143
    (directory,) = raised.value.resume_directory_ids  # type: ignore[attr-defined]
    assert f"directory_id=['{directory}']" in raised.value.__notes__[0]
    assert_stopped(llamacloud_emulator, directory, 12)


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_no_subprocess_is_started(
    llamacloud_emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("llamacloud") is None

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    result = client_of(llamacloud_emulator).batches.run(
        texts(tmp_path / "docs", 2), **PARSE  # type: ignore[arg-type]
    )
    assert result.ok and len(result.results) == 2 and result.stderr == ""
    assert importlib.util.find_spec("llamacloud_batches._run") is None


def test_arguments_of_the_engine_are_refused_by_name(tmp_path: Path) -> None:
    client = Client(api_key="llx-local-dev", base_url="http://127.0.0.1:9")
    (tmp_path / "a.txt").write_text("alpha")
    with pytest.raises(TypeError, match="on_event: expected a callable"):
        client.batches.run(tmp_path, on_event=3, **PARSE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="upload_rate: `fast` .*50/5s"):
        client.batches.run(tmp_path, upload_rate="fast", **PARSE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="upload_concurrency: 0 is out of range; accepted: 1 to"):
        client.batches.run(tmp_path, upload_concurrency=0, **PARSE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="include `\\[`: not a glob"):
        client.batches.run(tmp_path, include="[", **PARSE)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exclude: expected str, got int"):
        client.batches.run(tmp_path, exclude=["*.md", 3], **PARSE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout: -1 is not a duration"):
        client.batches.run(tmp_path, timeout=-1, **PARSE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="job_type: `nope` is not a job type; accepted: parse_v2"):
        client.batches.run(tmp_path, job_type="nope", configuration_id="cfg-PARSE_FAST")


def test_an_api_error_once_the_run_made_its_directory_carries_the_resume(tmp_path: Path) -> None:
    docs = texts(tmp_path / "docs", 2)
    with Emulator(processing_ms=60_000) as emulator:
        client = Client(api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0)

        def on_event(event: lb.RunEvent) -> None:
            if event.kind == "batch_created":
                emulator.stop()  # the wait's next poll finds no server

        with pytest.raises(lb.APIConnectionError) as raised:
            client.batches.run(docs, on_event=on_event, **PARSE)  # type: ignore[arg-type]
    (directory,) = raised.value.resume_directory_ids  # type: ignore[attr-defined]
    message = str(raised.value)
    assert message == raised.value.message
    assert message.splitlines()[-1].startswith("to resume, run: client.batches.run([")
    assert message.endswith(f"directory_id=['{directory}'])") and "llx-" not in message
