"""What `client.batches.run` returns: `RunResult`, every file's result keyed by its path.

The run itself is the engine of the compiled module (`batches-run`, the one behind
`llamacloud batches run`), which makes these objects at its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = ["RunFileResult", "RunResult"]


@dataclass(frozen=True)
class RunFileResult:
    """What became of one local file: a record of `batches run --format json`."""

    path: str
    """The path as given (or found below a folder given)."""
    status: str
    """``ok`` (a job was made for the file), ``error``, or ``pending`` (no result yet)."""
    directory_id: str
    directory_file_id: Optional[str]
    batch_id: Optional[str]
    job_reference: Optional[Dict[str, Any]]
    """The job made for the file: ``{"id": …, "type": …}``."""
    error: Optional[str]
    """Why the file has no job (with ``out``: why it has no output)."""
    output: Optional[str] = None
    """With ``out``: the output, relative to that folder."""
    sha256: Optional[str] = None
    """With ``out``: the SHA-256 of the file's bytes, lowercase hex."""
    job_status: Optional[str] = None
    """With ``out``: how the file's job ended (``COMPLETED``, ``FAILED``)."""
    pages: Optional[int] = None
    """With ``out``: the pages its parse job read."""
    credits: Optional[float] = None
    """With ``out``: its job's ``usage.credits``."""
    already_done: bool = False
    """With ``out``: skipped, an earlier run into that folder finished it."""
    same_bytes_as: Optional[str] = None
    """With ``out``: not sent, this other path has the same bytes."""


@dataclass(frozen=True)
class RunResult:
    """The outcome of a run: every file's result, keyed by its path, and the command line's
    exit status (0 every file has a job, 4 a file has an error or a batch ended FAILED or
    CANCELLED, 5 the ``timeout`` passed)."""

    results: Dict[str, RunFileResult]
    exit_code: int
    stderr: str = field(repr=False)
    """The messages ``llamacloud batches run`` would print on stderr: what went wrong
    (``error: 1 of 4 files has an error``), and, when the run is unfinished, the call that
    resumes it (``to resume, run: client.batches.run(..., directory_id=[...])``); empty
    when ``exit_code`` is 0."""

    @property
    def ok(self) -> bool:
        """Every batch COMPLETED and every file has a job."""
        return self.exit_code == 0

    @property
    def timed_out(self) -> bool:
        """The ``timeout`` passed while a batch was still running."""
        return self.exit_code == 5

    @property
    def errors(self) -> Dict[str, str]:
        """The files with an error, and the error."""
        return {
            path: result.error or ""
            for path, result in self.results.items()
            if result.status == "error"
        }

    @property
    def directory_ids(self) -> List[str]:
        """The directories of the run, in order: pass them as ``directory_id`` to resume it."""
        return list(dict.fromkeys(result.directory_id for result in self.results.values()))
