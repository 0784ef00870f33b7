"""`client.parse.get` and `client.extract.get`: the jobs of a batch, read from the emulator,
a document too large to be inline fetched from its presigned URL."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from llamacloud_batches import Client, Emulator, NotFoundError

#: What each of the generated fixture files holds (1 KiB of this line, repeated).
LINE = "file-0001.txt: a generated text file.\n"
FIXTURE_TEXT = (LINE * (1024 // len(LINE) + 1))[:1024]


def client_of(emulator: Emulator) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url)


def first_job(client: Client, emulator: Emulator, job_type: str, configuration_id: str) -> str:
    directory = emulator.create_directory_with_files("docs", 1)
    batch = client.batches.create(
        source_directory_id=directory,
        config={"job": {"type": job_type, "configuration_id": configuration_id}},
    )
    done = client.batches.wait(batch.id, interval=0.01, max_interval=0.05, expand=["results"])
    assert done.status == "COMPLETED"
    assert done.results is not None
    return str(done.results[0].job_reference.id)


def finished(get: Callable[[], Any], status: Callable[[Any], str]) -> Any:
    for _ in range(1000):
        job = get()
        if status(job) not in ("PENDING", "RUNNING"):
            return job
        time.sleep(0.01)
    raise AssertionError("the job never finished")


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_parse_get_gives_the_document_of_a_file(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    job_id = first_job(client, llamacloud_emulator, "parse_v2", "cfg-PARSE_AGENTIC")
    result = finished(
        lambda: client.parse.get(job_id, expand=["markdown_full", "markdown", "usage"]),
        lambda got: got.job.status,
    )
    assert result.job.id == job_id
    assert result.job.status == "COMPLETED"
    assert result.job.usage.credits == 10.0
    assert result.markdown_full == FIXTURE_TEXT
    assert result.markdown.pages[0].markdown == FIXTURE_TEXT
    assert result.job.created_at.tzinfo is not None
    assert result.to_dict(mode="json")["job"]["name"] == "file-0001.txt"
    with pytest.raises(NotFoundError, match="Job pjb-missing not found"):
        client.parse.get("pjb-missing")


@pytest.mark.llamacloud_emulator(processing_ms=5, presign_above=100)
def test_parse_get_follows_the_presigned_url_of_a_large_document(
    llamacloud_emulator: Emulator,
) -> None:
    client = client_of(llamacloud_emulator)
    job_id = first_job(client, llamacloud_emulator, "parse_v2", "cfg-PARSE_FAST")
    result = finished(
        lambda: client.parse.get(job_id, expand=["markdown_full", "text"]),
        lambda got: got.job.status,
    )
    # 1 KiB is above the 100-byte limit: both came from their presigned URLs.
    assert result.markdown_full == FIXTURE_TEXT
    assert result.text_full == FIXTURE_TEXT
    assert result.markdown is None
    assert result.result_content_metadata["markdown"]["size_bytes"] == 1024


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_extract_get_gives_the_fields_of_the_preset(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    job_id = first_job(client, llamacloud_emulator, "extract_v2", "cfg-EXTRACT_RECEIPT")
    job = finished(
        lambda: client.extract.get(job_id, expand=["usage", "configuration"]),
        lambda got: got.status,
    )
    assert job.status == "COMPLETED"
    assert job.extract_result == {
        "merchant": None,
        "date": None,
        "total": None,
        "payment_method": None,
    }
    assert job.usage.credits == 18.0
    assert list(job.configuration["data_schema"]["properties"]) == [
        "merchant",
        "date",
        "total",
        "payment_method",
    ]
