"""The type stubs, checked by mypy on a typed example and on misuses it must reject."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="the type check needs mypy (requirements-test.txt)")

HERE = Path(__file__).parent / "typing"


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        cwd=HERE,
    )


def test_the_typed_example_passes() -> None:
    result = mypy(HERE / "typed_example.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_misuses_are_caught() -> None:
    result = mypy(HERE / "wrong.py")
    assert result.returncode == 1, result.stdout + result.stderr
    for line in [5, 6, 7, 8, 9, 10, 11, 12]:
        assert f"wrong.py:{line}: error" in result.stdout, result.stdout


def test_the_typed_example_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(HERE / "typed_example.py")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    finished, running = result.stdout.splitlines()
    assert '"status":"COMPLETED"' in finished and running == "[]"
