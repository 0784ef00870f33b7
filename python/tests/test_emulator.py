"""`Emulator` and the fixtures' options."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from llamacloud_batches import Client, Emulator


def get(emulator: Emulator, path: str, key: str = "") -> Any:
    request = urllib.request.Request(
        emulator.base_url + path,
        headers={"Authorization": f"Bearer {key or emulator.api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_a_context_manager_on_a_free_loopback_port() -> None:
    with Emulator(seed=5) as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert (emulator.api_key, emulator.project_id) == ("llx-local-dev", "prj-local")
        assert emulator.running
        assert len(get(emulator, "/api/v2/batches")["items"]) == 5
        port = int(emulator.base_url.rsplit(":", 1)[1])
    assert not emulator.running
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))
    with pytest.raises(RuntimeError, match="stopped"):
        emulator.create_directory_with_files()
    emulator.stop()  # a second stop does nothing


def test_two_emulators_at_once_do_not_share_anything() -> None:
    with Emulator(seed=3) as first, Emulator(seed=4) as second:
        assert first.base_url != second.base_url
        assert len(get(first, "/api/v2/batches")["items"]) == 3
        assert len(get(second, "/api/v2/batches")["items"]) == 4


def test_directories_without_http(llamacloud_emulator: Emulator) -> None:
    directory = llamacloud_emulator.create_directory_with_files("invoices", 4)
    assert directory.startswith("dir-")
    files = get(llamacloud_emulator, f"/api/v1/beta/directories/{directory}/files")["items"]
    assert [f["display_name"] for f in files] == [f"file-000{n}.txt" for n in range(1, 5)]


def test_api_keys_and_projects() -> None:
    with Emulator(api_keys=["llx-one", "llx-two=prj-two"], seed=2) as emulator:
        assert (emulator.api_key, emulator.project_id) == ("llx-one", "prj-local")
        assert len(get(emulator, "/api/v2/batches", "llx-one")["items"]) == 2
        assert get(emulator, "/api/v2/batches", "llx-two")["items"] == []
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(emulator, "/api/v2/batches", "llx-local-dev")
        assert refused.value.code == 401
    with Emulator(api_keys={"llx-mine": "prj-mine"}) as emulator:
        assert (emulator.api_key, emulator.project_id) == ("llx-mine", "prj-mine")


def test_a_database_file_keeps_batches_across_emulators(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite"
    with Emulator(db=db, processing_ms=60_000) as emulator:
        directory = emulator.create_directory_with_files("kept", 1)
        config = {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}}
        client = Client(api_key=emulator.api_key, base_url=emulator.base_url)
        created = client.batches.create(source_directory_id=directory, config=config)
    with Emulator(db=str(db)) as emulator:
        assert [b["id"] for b in get(emulator, "/api/v2/batches")["items"]] == [created.id]


def test_bad_options_are_refused_with_the_accepted_values() -> None:
    with pytest.raises(ValueError, match="500, 503, 429, reset, truncate, slow"):
        Emulator(fault_kinds=["teapot"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="fault rate must be between 0 and 1"):
        Emulator(fault_rate=2.0)
    with pytest.raises(TypeError, match="not one string"):
        Emulator(api_keys="llx-1")
    with pytest.raises(ValueError, match="at least one key"):
        Emulator(api_keys=[])


@pytest.mark.llamacloud_emulator(seed=7, api_keys={"llx-marked": "prj-marked"})
def test_the_marker_sets_the_options(llamacloud_emulator: Emulator) -> None:
    assert llamacloud_emulator.api_key == "llx-marked"
    assert len(get(llamacloud_emulator, "/api/v2/batches")["items"]) == 7


@pytest.mark.llamacloud_emulator(seed=7)
@pytest.mark.parametrize("llamacloud_emulator", [{"seed": 2}, {"seed": 3}], indirect=True)
def test_a_parameter_beats_the_marker(llamacloud_emulator: Emulator, request: Any) -> None:
    expected = request.node.callspec.params["llamacloud_emulator"]["seed"]
    assert len(get(llamacloud_emulator, "/api/v2/batches")["items"]) == expected


def test_llamacloud_env_sets_the_official_variables(llamacloud_env: Emulator) -> None:
    assert os.environ["LLAMA_CLOUD_BASE_URL"] == llamacloud_env.base_url
    assert os.environ["LLAMA_CLOUD_API_KEY"] == llamacloud_env.api_key
    assert "127.0.0.1" in os.environ["NO_PROXY"].split(",")
