"""The examples of python/README.md and of the Python section of the top README, run as
written: a block that starts with `# test_NAME.py` is a pytest file (run by pytest in a
child process, with this package's plugin), any other Python block a script."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from llamacloud_batches import Emulator

README = Path(__file__).parent.parent / "README.md"
TOP_README = Path(__file__).parent.parent.parent / "README.md"


def blocks(readme: Path = README) -> List[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)


def run_pytest(directory: Path, name: str, source: str) -> str:
    (directory / name).write_text(source)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_readme_has_its_examples() -> None:
    assert len(blocks()) == 2


def test_the_pytest_example_passes(tmp_path: Path) -> None:
    (example,) = [block for block in blocks() if block.startswith("# test_")]
    name = example.split(":", 1)[0][len("# ") :]
    assert "5 passed" in run_pytest(tmp_path, name, example)


def test_the_client_example_runs() -> None:
    (example,) = [block for block in blocks() if not block.startswith("# test_")]
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, cwd=TOP_README.parent
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "False 4" in lines and lines[lines.index("False 4") - 1].startswith(
        "examples/documents/archive.zip error "
    ), lines
    assert any(" ok {" in line and "'pjb-" in line for line in lines), lines
    assert any(line.startswith("created bat-") and line.endswith(" files") for line in lines)
    assert lines[-2].startswith("COMPLETED ['pjb-"), lines[-2]
    assert lines[-1].startswith("409 ") and "cannot be cancelled" in lines[-1], lines[-1]


def test_the_top_readmes_pytest_example_passes(tmp_path: Path) -> None:
    test, _ = blocks(TOP_README)
    assert "1 passed" in run_pytest(tmp_path, "test_top_readme.py", test)


@pytest.mark.llamacloud_emulator(seed=200)
def test_the_top_readmes_client_example_runs(llamacloud_env: Emulator) -> None:
    _, example = blocks(TOP_README)
    result = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("bat-") and " FAILED " in line for line in lines)
