"""The exceptions: classes as in the official SDK, with status, request id and body."""

from __future__ import annotations

import socket

import pytest

import llamacloud_batches as lb
from llamacloud_batches import Client, Emulator


def client_of(emulator: Emulator, **options: object) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url, **options)  # type: ignore[arg-type]


def test_the_hierarchy_is_the_sdks() -> None:
    for status_class in [
        lb.BadRequestError,
        lb.AuthenticationError,
        lb.PermissionDeniedError,
        lb.NotFoundError,
        lb.ConflictError,
        lb.UnprocessableEntityError,
        lb.RateLimitError,
        lb.InternalServerError,
    ]:
        assert issubclass(status_class, lb.APIStatusError)
    assert issubclass(lb.APIStatusError, lb.APIError)
    assert issubclass(lb.APITimeoutError, lb.APIConnectionError)
    assert issubclass(lb.APIConnectionError, lb.APIError)
    assert issubclass(lb.APIResponseValidationError, lb.APIError)
    assert issubclass(lb.APIError, lb.LlamaCloudError)


@pytest.mark.llamacloud_emulator(api_keys={"llx-a": "prj-a", "llx-b": "prj-b"})
def test_status_errors(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    with pytest.raises(lb.AuthenticationError) as error:
        Client(api_key="llx-wrong", base_url=llamacloud_emulator.base_url).batches.get("bat-1")
    assert error.value.status_code == 401
    assert error.value.body == {"detail": "Invalid authentication token"}
    assert "401" in str(error.value) and "llx-wrong" not in str(error.value)

    with pytest.raises(lb.PermissionDeniedError) as denied:
        next(client.batches.list(project_id="prj-b"))
    assert denied.value.status_code == 403

    with pytest.raises(lb.NotFoundError) as missing:
        client.batches.get("bat-missing")
    assert missing.value.status_code == 404
    assert missing.value.body == {"detail": "Batch bat-missing not found"}

    with pytest.raises(lb.UnprocessableEntityError) as invalid:
        next(client.batches.list(page_size=0))
    body = invalid.value.body
    assert isinstance(body, dict) and body["detail"][0]["loc"] == ["query", "page_size"]

    with pytest.raises(lb.BadRequestError) as bad:
        next(client.batches.list(page_token="not-a-token"))
    assert bad.value.status_code == 400


@pytest.mark.llamacloud_emulator(fault_rate=1.0, fault_kinds=["429"])
def test_rate_limit(llamacloud_emulator: Emulator) -> None:
    with pytest.raises(lb.RateLimitError) as error:
        client_of(llamacloud_emulator, max_retries=0).batches.get("bat-1")
    assert error.value.status_code == 429


@pytest.mark.parametrize(
    "llamacloud_emulator", [{"fault_rate": 1.0, "fault_kinds": ["500"]}], indirect=True
)
def test_server_errors_after_the_retries(llamacloud_emulator: Emulator) -> None:
    with pytest.raises(lb.InternalServerError) as error:
        client_of(llamacloud_emulator, max_retries=1).batches.get("bat-1")
    assert error.value.status_code == 500


@pytest.mark.llamacloud_emulator(fault_rate=1.0, fault_kinds=["reset"])
def test_connection_reset(llamacloud_emulator: Emulator) -> None:
    with pytest.raises(lb.APIConnectionError) as error:
        client_of(llamacloud_emulator, max_retries=0).batches.get("bat-1")
    assert error.value.status_code is None and error.value.body is None


@pytest.mark.llamacloud_emulator(latency_ms=3_000)
def test_timeout(llamacloud_emulator: Emulator) -> None:
    with pytest.raises(lb.APITimeoutError):
        client_of(llamacloud_emulator, max_retries=0, timeout=0.2).batches.get("bat-1")


def test_nothing_listening() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Client(api_key="llx-1", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(lb.APIConnectionError, match="could not connect"):
        client.batches.get("bat-1")
