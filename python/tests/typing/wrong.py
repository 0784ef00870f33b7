"""Misuses the stubs must catch: `mypy` must reject this file (tests/test_types.py)."""

import llamacloud_batches as lb

client = lb.Client(api_key=1)
count: int = client.batches.get("bat-1").status
client.batches.list(stauts="RUNNING")
lb.Emulator(fault_kinds=["teapot"])
client.batches.run("docs", job_type="parse_v2", configuration_id="c", on_event=3)
client.batches.results("bat-1", out="o", output_form="pdf")
client.batches.run("docs", job_type="p", configuration_id="c", webhook_configurations=[{"url": "x"}])
wrong: lb.RunResult = client.batches.run("docs", job_type="p", configuration_id="c", dry_run=True)
