"""`Client`: every method against the emulator fixture."""

from __future__ import annotations

import json
from pathlib import Path
from datetime import datetime, timezone

import pytest

import llamacloud_batches
from llamacloud_batches import Client, Emulator

PARSE = {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_AGENTIC"}}


def client_of(emulator: Emulator, **options: object) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url, **options)  # type: ignore[arg-type]


@pytest.mark.llamacloud_emulator(seed=57)
def test_list_walks_every_page_with_every_filter(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    every = list(client.batches.list(page_size=10))
    assert len(every) == 57 and len({b.id for b in every}) == 57
    assert [b.created_at for b in every] == sorted((b.created_at for b in every), reverse=True)

    for status in ["RUNNING", "COMPLETED", "FAILED", "CANCELLED"]:
        listed = [b.id for b in client.batches.list(status=status, page_size=4)]
        assert listed == [b.id for b in every if b.status == status]

    directory = every[0].source_directory_id
    by_directory = [b.id for b in client.batches.list(source_directory_id=directory)]
    assert by_directory == [b.id for b in every if b.source_directory_id == directory]

    middle = every[28]
    assert middle.created_at is not None
    after = list(client.batches.list(created_at_on_or_after=middle.created_at, page_size=7))
    assert after == every[:29]
    text = middle.created_at.isoformat()  # a string works as well as a datetime
    before = list(client.batches.list(created_at_on_or_before=text, page_size=7))
    assert before == every[28:]

    # A date is its midnight UTC, as text too; a naive datetime is UTC.
    day = middle.created_at.date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    since = [b for b in every if b.created_at is not None and b.created_at >= midnight]
    assert list(client.batches.list(created_at_on_or_after=day)) == since
    assert list(client.batches.list(created_at_on_or_after=day.isoformat())) == since
    naive = midnight.replace(tzinfo=None)
    assert list(client.batches.list(created_at_on_or_after=naive)) == since
    with pytest.raises(ValueError, match="is not a date-time"):
        client.batches.list(created_at_on_or_after="last tuesday")
    with pytest.raises(TypeError, match="expected a datetime"):
        client.batches.list(created_at_on_or_after=17)  # type: ignore[arg-type]

    assert [b.id for b in client.batches.list(page_size=10, max_items=13)] == [
        b.id for b in every[:13]
    ]
    assert list(client.batches.list(max_items=0)) == []


@pytest.mark.llamacloud_emulator(seed=12)
def test_batches_read_like_the_sdks_models(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    batch = next(iter(client.batches.list()))
    fields = json.loads(batch.raw)
    assert batch.id == fields["id"] and batch.id.startswith("bat-")
    assert type(batch.status) is str and batch.status == fields["status"]
    assert batch.project_id == llamacloud_emulator.project_id
    assert batch.config.job.type == fields["config"]["job"]["type"]
    assert batch.config.job.configuration_id == fields["config"]["job"]["configuration_id"]
    assert isinstance(batch.created_at, datetime) and batch.created_at.tzinfo is not None
    assert batch.to_dict(mode="json") == fields
    assert batch.to_dict()["created_at"] == batch.created_at
    assert batch.to_dict()["config"] == fields["config"]
    with pytest.raises(AttributeError):
        batch.no_such_field
    with pytest.raises(ValueError, match="accepted values: python, json"):
        batch.to_dict(mode="yaml")  # type: ignore[arg-type]


@pytest.mark.llamacloud_emulator(seed=30)
def test_attributes_read_alone_or_after_decoding_everything_agree(
    llamacloud_emulator: Emulator,
) -> None:
    client = client_of(llamacloud_emulator)
    names = ["id", "status", "project_id", "source_directory_id", "config", "created_at",
             "updated_at", "results"]
    fresh = list(client.batches.list())  # each read below decodes one property alone
    decoded = list(client.batches.list())
    for batch in decoded:
        batch.to_dict()  # decodes the whole batch first
    for alone, whole in zip(fresh, decoded):
        for name in names:
            assert getattr(alone, name) == getattr(whole, name), name
        with pytest.raises(AttributeError):
            alone.no_such_field
    assert fresh == decoded


def test_every_property_of_the_schemas_batch_is_a_getter() -> None:
    schema = Path(__file__).parent.parent.parent / "spec" / "batches.schema.json"
    declared = set(json.loads(schema.read_text())["$defs"]["Batch"]["properties"])
    getters = {name for name, value in vars(llamacloud_batches.Batch).items()
               if type(value).__name__ == "getset_descriptor" and name != "raw"}
    assert getters == declared


@pytest.mark.llamacloud_emulator(processing_ms=5)
def test_create_get_wait_and_results(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    directory = llamacloud_emulator.create_directory_with_files("docs", 3)
    batch = client.batches.create(source_directory_id=directory, config=PARSE)
    assert batch.status == "PENDING" and batch.source_directory_id == directory
    assert batch.results is None  # declared, absent: None, as in the SDK

    done = client.batches.wait(batch.id, interval=0.01, max_interval=0.05, expand=["results"])
    assert done.id == batch.id and done.status == "COMPLETED"
    assert done.results is not None and len(done.results) == 3
    for result in done.results:
        assert result.source_directory_file_id.startswith("dfl-")
        assert result.job_reference.type == "parse_v2" and result.error_message is None
    assert client.batches.get(batch.id).results is None
    assert len(client.batches.get(batch.id, expand=["results"]).results or []) == 3


def test_create_with_an_idempotency_key_makes_one_batch(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    directory = llamacloud_emulator.create_directory_with_files("docs", 1)
    first = client.batches.create(
        source_directory_id=directory, config=PARSE, idempotency_key="nightly-1"
    )
    again = client.batches.create(
        source_directory_id=directory, config=PARSE, idempotency_key="nightly-1"
    )
    assert again.id == first.id
    assert [b.id for b in client.batches.list()] == [first.id]
    with pytest.raises(llamacloud_batches.ConflictError):
        other = {"job": {"type": "extract_v2", "configuration_id": "cfg-EXTRACT_INVOICE"}}
        client.batches.create(source_directory_id=directory, config=other, idempotency_key="nightly-1")


def test_create_refuses_a_malformed_config_before_sending(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    with pytest.raises(ValueError, match="config"):
        client.batches.create(source_directory_id="dir-1", config={"job": {"type": "parse_v2"}})
    with pytest.raises(TypeError, match="not JSON"):
        client.batches.create(source_directory_id="dir-1", config={"job": object()})
    assert list(client.batches.list()) == []


@pytest.mark.llamacloud_emulator(processing_ms=60_000)
def test_cancel_and_wait_timeout(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    directory = llamacloud_emulator.create_directory_with_files("slow", 2)
    batch = client.batches.create(source_directory_id=directory, config=PARSE)
    with pytest.raises(llamacloud_batches.WaitTimeoutError) as timeout:
        client.batches.wait(batch.id, timeout=0.2, interval=0.05, max_interval=0.05)
    assert timeout.value.batch_id == batch.id and timeout.value.status == "PENDING"
    assert isinstance(timeout.value, TimeoutError)

    cancelled = client.batches.cancel(batch.id)
    assert cancelled.id == batch.id and cancelled.status == "CANCELLED"
    assert client.batches.wait(batch.id).status == "CANCELLED"
    with pytest.raises(llamacloud_batches.ConflictError) as conflict:
        client.batches.cancel(batch.id)
    assert conflict.value.status_code == 409
    assert "cannot be cancelled" in conflict.value.body["detail"]  # type: ignore[index]


def test_the_client_reads_the_environment(llamacloud_env: Emulator) -> None:
    directory = llamacloud_env.create_directory_with_files("env", 1)
    created = Client().batches.create(source_directory_id=directory, config=PARSE)
    assert [b.id for b in Client().batches.list()] == [created.id]
    # An argument beats the environment.
    with pytest.raises(llamacloud_batches.AuthenticationError):
        Client(api_key="llx-wrong").batches.get(created.id)


def test_configuration_errors_name_the_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ["LLAMA_CLOUD_API_KEY", "LLAMA_PARSE_API_KEY", "LLAMA_CLOUD_BASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(llamacloud_batches.LlamaCloudError, match="no API key"):
        Client()
    with pytest.raises(llamacloud_batches.LlamaCloudError, match="accepted values: na, eu"):
        Client(api_key="llx-1", region="mars")  # type: ignore[arg-type]
    with pytest.raises(llamacloud_batches.LlamaCloudError, match="base URL"):
        Client(api_key="llx-1", base_url="https://example.invalid", region="eu")
    with pytest.raises(llamacloud_batches.LlamaCloudError, match="plain http"):
        Client(api_key="llx-1", base_url="http://example.invalid")
    with pytest.raises(ValueError, match="timeout"):
        Client(api_key="llx-1", timeout=-1)
    Client(api_key="llx-1", region="eu", max_retries=0, timeout=5)
