"""`client.batches.results`: `llamacloud batches results BATCH_ID --out DIR` in this process,
over batches made by `client.batches.create`, against the emulator."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

import llamacloud_batches as lb
from llamacloud_batches import Client, Emulator

PARSE = {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}}
NAMES = ["file-0001.txt", "file-0002.txt", "file-0003.txt"]


def client_of(emulator: Emulator) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=30)


def fixture_text(name: str) -> str:
    """What the emulator's generated file `name` holds: 1 KiB of one line, repeated."""
    line = f"{name}: a generated text file.\n"
    return (line * (1024 // len(line) + 1))[:1024]


def requests_since(emulator: Emulator, number: int) -> List[Dict[str, Any]]:
    """The API requests the emulator served after request `number`, oldest first."""
    request = urllib.request.Request(
        emulator.base_url + "/emulator/requests",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        items = json.load(response)["items"]
    return [
        item
        for item in reversed(items)
        if item["number"] > number and item["path"].startswith("/api/")
    ]


def last_number(emulator: Emulator) -> int:
    return max((item["number"] for item in requests_since(emulator, 0)), default=0)


def created_batch(client: Client, emulator: Emulator, config: Dict[str, Any] = PARSE) -> str:
    directory = emulator.create_directory_with_files("docs", 3)
    return client.batches.create(source_directory_id=directory, config=config).id


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_the_results_of_a_created_batch_are_written_as_markdown_and_a_rerun_skips_them(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    client = client_of(llamacloud_emulator)
    batch_id = created_batch(client, llamacloud_emulator)
    out = tmp_path / "out"
    events: List[lb.RunEvent] = []
    result = client.batches.results(batch_id, out=out, on_event=events.append)

    assert isinstance(result, lb.RunResult)
    assert (result.ok, result.exit_code, result.stderr) == (True, 0, "")
    assert sorted(result.results) == NAMES
    for name in NAMES:
        assert (out / f"{name}.md").read_text() == fixture_text(name)
        file = result.results[name]
        assert (file.status, file.batch_id, file.output) == ("ok", batch_id, f"{name}.md")
        assert file.job_status == "COMPLETED" and file.already_done is False
        assert file.job_reference and file.job_reference["id"].startswith("pjb-")
        assert file.pages == 1 and file.credits and file.credits > 0
    summary = result.summary
    assert summary is not None
    assert (summary.files, summary.done, summary.failed, summary.skipped) == (3, 3, 0, 0)
    assert summary.pages == 3
    assert summary.credits == sum(file.credits or 0 for file in result.results.values())
    assert (summary.job_type, summary.output_form, summary.out) == (
        "parse_v2",
        "markdown",
        str(out),
    )
    assert json.loads((out / "summary.json").read_text())["done"] == 3
    assert len((out / "manifest.jsonl").read_text().splitlines()) == 3
    written = sorted(event.path for event in events if event.kind == "output_written")
    assert written == NAMES

    # Again into the same folder: every file skipped, no job read again, nothing created.
    before = last_number(llamacloud_emulator)
    events.clear()
    again = client.batches.results(batch_id, out=str(out), on_event=events.append)
    assert again.ok
    assert again.summary is not None
    assert (again.summary.done, again.summary.skipped) == (0, 3)
    assert all(file.already_done for file in again.results.values())
    assert sorted(event.path for event in events if event.kind == "already_done") == NAMES
    sent = requests_since(llamacloud_emulator, before)
    assert sent, "the rerun read the batch"
    assert not [r for r in sent if r["path"].startswith("/api/v2/parse/")], sent
    assert not [r for r in sent if r["method"] != "GET"], sent

    # reprocess: every output written again from its job, still no new batch or job.
    (out / "file-0002.txt.md").write_text("stale")
    before = last_number(llamacloud_emulator)
    redone = client.batches.results(batch_id, out=out, reprocess=True)
    assert redone.summary is not None
    assert (redone.summary.done, redone.summary.skipped) == (3, 0)
    assert (out / "file-0002.txt.md").read_text() == fixture_text("file-0002.txt")
    sent = requests_since(llamacloud_emulator, before)
    assert len([r for r in sent if r["path"].startswith("/api/v2/parse/")]) >= 3
    assert not [r for r in sent if r["method"] != "GET"], sent


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_an_output_form_gives_its_suffix_and_content(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    client = client_of(llamacloud_emulator)
    batch_id = created_batch(client, llamacloud_emulator)
    result = client.batches.results(
        batch_id, out=tmp_path, output_form="text", export_concurrency=1
    )
    assert result.summary is not None and result.summary.output_form == "text"
    assert (tmp_path / "file-0003.txt.txt").read_text() == fixture_text("file-0003.txt")


def test_an_unknown_batch_is_not_found_and_nothing_is_written(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with pytest.raises(lb.NotFoundError) as missing:
        client_of(llamacloud_emulator).batches.results("bat-missing", out=out)
    assert missing.value.status_code == 404
    assert "bat-missing" in str(missing.value)
    assert not out.exists()


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_bad_arguments_are_refused_in_the_command_lines_words(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    client = client_of(llamacloud_emulator)
    before = last_number(llamacloud_emulator)
    # `--as pdf` says: `pdf` is not an output form; accepted: markdown, text, json, items
    with pytest.raises(ValueError) as form:
        client.batches.results("bat-1", out=tmp_path, output_form="pdf")  # type: ignore[arg-type]
    assert str(form.value) == (
        "output_form: `pdf` is not an output form; accepted: markdown, text, json, items"
    )
    with pytest.raises(ValueError, match="export_concurrency: -1 is out of range"):
        client.batches.results("bat-1", out=tmp_path, export_concurrency=-1)
    with pytest.raises(TypeError, match="out: give a folder as str or os.PathLike"):
        client.batches.results("bat-1", out=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_event: expected a callable"):
        client.batches.results("bat-1", out=tmp_path, on_event=3)  # type: ignore[arg-type]
    assert requests_since(llamacloud_emulator, before) == []
    with pytest.raises(ValueError, match="export_concurrency: 65 is out of range; accepted: 1 to 64"):
        client.batches.results("bat-1", out=tmp_path, export_concurrency=65)
    # An extract batch's results are JSON only.
    extract = created_batch(
        client,
        llamacloud_emulator,
        {"job": {"type": "extract_v2", "configuration_id": "cfg-EXTRACT_RECEIPT"}},
    )
    with pytest.raises(ValueError, match="output_form: extract_v2 results are JSON"):
        client.batches.results(extract, out=tmp_path, output_form="markdown")
    assert not (tmp_path / "manifest.jsonl").exists()


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_an_unwritable_out_raises_what_run_raises(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    client = client_of(llamacloud_emulator)
    batch_id = created_batch(client, llamacloud_emulator)
    not_a_folder = tmp_path / "taken"
    not_a_folder.write_text("a file where the folder should be")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("alpha")
    with pytest.raises(lb.LlamaCloudError) as from_run:
        client.batches.run(
            docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST", out=not_a_folder
        )
    with pytest.raises(lb.LlamaCloudError) as from_results:
        client.batches.results(batch_id, out=not_a_folder)
    assert type(from_results.value) is type(from_run.value)
    assert "cannot write" in str(from_results.value)
    assert str(not_a_folder) in str(from_results.value)
    assert not_a_folder.read_text() == "a file where the folder should be"


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_an_exception_in_on_event_stops_the_export_and_the_same_call_finishes_it(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    client = client_of(llamacloud_emulator)
    batch_id = created_batch(client, llamacloud_emulator)

    class Stop(Exception):
        pass

    def stop(event: lb.RunEvent) -> None:
        raise Stop(event.kind)

    with pytest.raises(Stop) as stopped:
        client.batches.results(batch_id, out=tmp_path, on_event=stop)
    assert getattr(stopped.value, "resume_directory_ids") == []
    notes = getattr(stopped.value, "__notes__", [])
    assert notes == [
        "the same call again writes only the outputs still missing (the manifest keeps "
        "those written)"
    ]
    finished = client.batches.results(batch_id, out=tmp_path)
    assert finished.ok and finished.summary is not None
    assert finished.summary.done + finished.summary.skipped == 3
    for name in NAMES:
        assert (tmp_path / f"{name}.md").read_text() == fixture_text(name)
