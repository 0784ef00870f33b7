"""The examples of python/README.md, run as written: a block that starts with
`# test_NAME.py` is a pytest file (run by pytest in a child process, with this package's
plugin), any other Python block a script."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

README = Path(__file__).parent.parent / "README.md"


def blocks() -> List[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_its_examples() -> None:
    assert len(blocks()) == 2


def test_the_pytest_example_passes(tmp_path: Path) -> None:
    (example,) = [block for block in blocks() if block.startswith("# test_")]
    name = example.split(":", 1)[0].removeprefix("# ")
    (tmp_path / name).write_text(example)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout, result.stdout


def test_the_client_example_runs() -> None:
    (example,) = [block for block in blocks() if not block.startswith("# test_")]
    result = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2].startswith("COMPLETED ['pjb-"), lines[-2]
    assert lines[-1].startswith("409 ") and "cannot be cancelled" in lines[-1], lines[-1]
