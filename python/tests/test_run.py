"""`client.batches.run`: the run engine of `batches run`, in this process, with the client's
settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import llamacloud_batches as lb
from llamacloud_batches import Client, Emulator

DOCUMENTS = Path(__file__).parent.parent.parent / "examples" / "documents"
ENVIRONMENT = (
    "LLAMA_CLOUD_API_KEY",
    "LLAMA_PARSE_API_KEY",
    "LLAMA_CLOUD_BASE_URL",
    "LLAMACLOUD_PROFILE",
)


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the client's arguments can tell the run where to go."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def client_of(emulator: Emulator) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=30)


def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("alpha")
    (docs / "b.md").write_text("# beta")
    (docs / "notes").mkdir()
    (docs / "notes" / "c.txt").write_text("gamma")
    shutil.copy(DOCUMENTS / "archive.zip", docs / "archive.zip")
    return docs


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_results_are_keyed_by_path_with_the_unreadable_file_failed(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    result = client_of(llamacloud_emulator).batches.run(
        docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST"
    )
    assert isinstance(result, lb.RunResult)
    assert (result.ok, result.exit_code, result.timed_out) == (False, 4, False)
    assert sorted(result.results) == sorted(
        str(docs / name) for name in ("a.txt", "b.md", "notes/c.txt", "archive.zip")
    )
    assert list(result.errors) == [str(docs / "archive.zip")]
    assert result.errors[str(docs / "archive.zip")]
    assert "1 of 4 files has an error" in result.stderr
    (directory,) = result.directory_ids
    batches = {file.batch_id for file in result.results.values()}
    assert len(batches) == 1 and next(iter(batches), "").startswith("bat-")
    for path, file in result.results.items():
        assert file.path == path and file.directory_id == directory
        assert file.directory_file_id and file.directory_file_id.startswith("dfl-")
        if path.endswith(".zip"):
            assert (file.status, file.job_reference) == ("error", None)
        else:
            assert file.status == "ok" and file.error is None
            assert file.job_reference and file.job_reference["type"] == "parse_v2"
    # The batch is the server's, over the directory of the run.
    batch = client_of(llamacloud_emulator).batches.get(next(iter(batches)), expand=["results"])
    assert batch.source_directory_id == directory and batch.status == "COMPLETED"


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_a_run_of_readable_files_is_ok_and_can_be_filtered(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    result = client_of(llamacloud_emulator).batches.run(
        [docs],
        job_type="parse_v2",
        configuration_id="cfg-PARSE_FAST",
        exclude=["*.zip"],
        include=["*.txt"],
        upload_concurrency=2,
        upload_rate="20/s",
    )
    assert result.ok and result.errors == {}
    assert sorted(result.results) == [str(docs / "a.txt"), str(docs / "notes" / "c.txt")]


@pytest.mark.llamacloud_emulator(processing_ms=60_000)
def test_no_wait_leaves_the_files_pending_and_a_rerun_finds_the_batch(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    client = client_of(llamacloud_emulator)
    options = dict(job_type="parse_v2", configuration_id="cfg-PARSE_FAST", exclude=["*.zip"])
    first = client.batches.run(docs, wait=False, **options)  # type: ignore[arg-type]
    assert first.ok and {file.status for file in first.results.values()} == {"pending"}
    again = client.batches.run(
        docs, directory_id=first.directory_ids, timeout=0.5, **options  # type: ignore[arg-type]
    )
    assert (again.ok, again.timed_out, again.exit_code) == (False, True, 5)
    assert {file.batch_id for file in again.results.values()} == {
        file.batch_id for file in first.results.values()
    }
    assert "to resume, run:" in again.stderr


def test_more_than_1000_files_need_split_and_nothing_is_sent(tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for index in range(1001):
        (many / f"f{index:04}.txt").write_text("x")
    with Emulator() as emulator:
        client = client_of(emulator)
        emulator.stop()  # anything sent would fail to connect, not with a usage error
        with pytest.raises(ValueError, match="split=True") as raised:
            client.batches.run(many, job_type="parse_v2", configuration_id="cfg-PARSE_FAST")
    assert "1001 files found" in str(raised.value)


def test_the_clients_settings_reach_the_run(tmp_path: Path) -> None:
    docs = folder(tmp_path)
    with Emulator(api_keys=["llx-other=prj-other"], processing_ms=5) as emulator:
        wrong_key = Client(api_key="llx-not-a-key", base_url=emulator.base_url, max_retries=0)
        with pytest.raises(lb.AuthenticationError) as raised:
            wrong_key.batches.run(docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST")
        assert raised.value.status_code == 401
        assert "llx-not-a-key" not in str(raised.value)
        result = Client(api_key="llx-other", base_url=emulator.base_url).batches.run(
            docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST", exclude=["*.zip"]
        )
        assert result.ok and len(result.results) == 3


def test_no_server_is_a_connection_error(tmp_path: Path) -> None:
    docs = folder(tmp_path)
    with Emulator() as emulator:
        base_url = emulator.base_url
    client = Client(api_key="llx-local-dev", base_url=base_url, max_retries=0)
    with pytest.raises(lb.APIConnectionError):
        client.batches.run(docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST")


def test_bad_arguments_are_refused_by_name(tmp_path: Path) -> None:
    client = Client(api_key="llx-local-dev", base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="--job-type|job"):
        client.batches.run(tmp_path, job_type="nope", configuration_id="cfg-PARSE_FAST")
    with pytest.raises(ValueError, match="paths"):
        client.batches.run([], job_type="parse_v2", configuration_id="cfg-PARSE_FAST")
    with pytest.raises(TypeError, match="unexpected keyword|no_wait"):
        client.batches.run(  # type: ignore[call-arg]
            tmp_path, job_type="parse_v2", configuration_id="cfg-PARSE_FAST", no_wait=True
        )


@pytest.mark.llamacloud_emulator(latency_ms=3_000)
def test_the_clients_time_per_request_reaches_the_run(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    client = Client(
        api_key=llamacloud_emulator.api_key,
        base_url=llamacloud_emulator.base_url,
        timeout=0.2,
        max_retries=0,
    )
    with pytest.raises(lb.APIConnectionError, match="timed out"):
        client.batches.run(docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST")


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_a_run_with_out_writes_each_markdown_and_a_rerun_skips_them(
    llamacloud_emulator: Emulator, tmp_path: Path
) -> None:
    docs = folder(tmp_path)
    out = tmp_path / "out"
    client = client_of(llamacloud_emulator)
    result = client.batches.run(
        docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST", out=out
    )
    assert result.exit_code == 4  # archive.zip gets no job
    assert (out / "a.txt.md").read_text() == "alpha"
    assert (out / "notes" / "c.txt.md").read_text() == "gamma"
    lines = (out / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 4
    events: list = []
    again = client.batches.run(
        docs,
        job_type="parse_v2",
        configuration_id="cfg-PARSE_FAST",
        out=str(out),
        on_event=events.append,
    )
    assert again.exit_code == 4
    assert sum(1 for event in events if event.kind == "already_done") == 3
    assert not any(event.kind == "upload_finished" for event in events)
    with pytest.raises(ValueError, match="output_form"):
        client.batches.run(
            docs,
            job_type="parse_v2",
            configuration_id="cfg-PARSE_FAST",
            out=out,
            output_form="pdf",
        )
