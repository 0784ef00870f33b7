"""Blocking calls give up the GIL, and Ctrl-C stops a listing, a wait, a run or an export."""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
import threading
import time
from typing import List

import pytest

from llamacloud_batches import Client, Emulator

# The child starts a slow emulator (every response held 60 s, or a batch that takes
# minutes), says it is about to call, and calls; SIGINT must end the call with
# KeyboardInterrupt long before the emulator would have answered.
CHILD = """
import pathlib, sys, tempfile, time
import llamacloud_batches as lb

mode = sys.argv[1]
latency = 60_000 if mode == "list" else 0
with lb.Emulator(seed=5, latency_ms=latency, processing_ms=60_000) as emulator:
    client = lb.Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=300)
    if mode in ("wait", "results"):
        directory = emulator.create_directory_with_files("slow", 3)
        config = {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}}
        batch = client.batches.create(source_directory_id=directory, config=config)
    if mode == "run":
        docs = pathlib.Path(tempfile.mkdtemp())
        (docs / "a.txt").write_text("alpha")
    print("calling", flush=True)
    try:
        if mode == "list":
            list(client.batches.list())
        elif mode == "run":
            client.batches.run(docs, job_type="parse_v2", configuration_id="cfg-PARSE_FAST")
        elif mode == "results":
            client.batches.results(batch.id, out=tempfile.mkdtemp())
        else:
            client.batches.wait(batch.id, interval=0.2, max_interval=0.2)
    except KeyboardInterrupt as interrupt:
        print("KeyboardInterrupt", flush=True)
        print(interrupt, file=sys.stderr)
        print(getattr(interrupt, "resume_directory_ids", None), file=sys.stderr)
        sys.exit(130)
    print("finished", flush=True)
"""


@pytest.mark.parametrize("mode", ["list", "wait", "run", "results"])
def test_ctrl_c_interrupts(mode: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "calling"
        time.sleep(0.5)  # let it get into the call
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert out.strip() == "KeyboardInterrupt", (out, err)
    assert child.returncode == 130, err
    if mode == "run":
        # The run stopped, and the exception says how to resume it, with no secret.
        message, directory_ids = err.strip().splitlines()[-2:]
        (directory,) = ast.literal_eval(directory_ids)
        assert message.startswith(
            "the run was interrupted; to resume, run: client.batches.run(["
        ), err
        assert message.endswith(f"directory_id=['{directory}'])") and directory.startswith("dir-")
        assert "llx-" not in err
    if mode == "results":
        message, directory_ids = err.strip().splitlines()[-2:]
        assert message == (
            "the export was interrupted; the same call again writes only the outputs still "
            "missing (the manifest keeps those written)"
        ), err
        assert directory_ids == "[]"


@pytest.mark.llamacloud_emulator(latency_ms=1_000)
def test_a_call_in_flight_lets_other_threads_run(llamacloud_emulator: Emulator) -> None:
    client = Client(api_key=llamacloud_emulator.api_key, base_url=llamacloud_emulator.base_url)
    errors: List[BaseException] = []

    def call() -> None:
        try:
            list(client.batches.list())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    # The main thread keeps running Python while the other waits a whole second for the
    # emulator: with the GIL held by the call it could not take a single step.
    steps = 0
    while caller.is_alive():
        steps += 1
        time.sleep(0.01)
    caller.join()
    assert errors == []
    assert steps >= 10
