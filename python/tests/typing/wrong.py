"""Misuses the stubs must catch: `mypy` must reject this file (tests/test_types.py)."""

import llamacloud_batches as lb

client = lb.Client(api_key=1)
count: int = client.batches.get("bat-1").status
client.batches.list(stauts="RUNNING")
lb.Emulator(fault_kinds=["teapot"])
