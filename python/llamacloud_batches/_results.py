"""What `client.batches.run` and `client.batches.results` return: `RunResult`, every
file's result keyed by its path (with an output folder, its `RunSummary` too), and, for
`run(..., dry_run=True)`, the `RunPlan`.

The run itself is the engine of the compiled module (`batches-run`, the one behind
`llamacloud batches run`), which makes these objects at its end.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Type, TypeVar

__all__ = [
    "PlannedFile",
    "RunFileResult",
    "RunPlan",
    "RunResult",
    "RunSummary",
    "SkippedFile",
]

_T = TypeVar("_T")


def _record(cls: Type[_T], fields: Mapping[str, Any]) -> _T:
    """An instance of the dataclass ``cls`` from the engine's JSON form, with the fields it
    declares: a newer engine may report more."""
    declared = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{name: value for name, value in fields.items() if name in declared})


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
class RunSummary:
    """What a run with ``out`` (or ``results``) did, as ``summary.json`` in that folder holds
    it."""

    out: str
    """The output folder."""
    job_type: str
    configuration_id: str
    output_form: str
    """``markdown``, ``text``, ``json`` or ``items``."""
    files: int
    """The files of the run (of the batch, for ``results``)."""
    done: int
    """Files whose output this call wrote."""
    failed: int
    """Files without an output: their job failed, or they have no job."""
    skipped: int
    """Files an earlier call into the same folder finished."""
    pages: int
    """Pages read by the jobs whose output this call wrote."""
    credits: float
    """Their ``usage.credits``."""
    seconds: float
    started_at: str
    """RFC 3339, UTC."""
    finished_at: Optional[str] = None


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
    summary: Optional[RunSummary] = None
    """With ``out`` (and for ``results``): the counts of ``summary.json``."""

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


@dataclass(frozen=True)
class PlannedFile:
    """A file ``run(..., dry_run=True)`` would send: a row of ``batches run --dry-run``."""

    path: str
    """The path as given (or found below a folder given)."""
    bytes: int
    """Its size when it was found."""
    directory: str
    """The ``directory_id`` it would be uploaded into, or ``new directory 1 of 2``."""
    action: Optional[str] = None
    """With ``out``: what the run would do with it: ``send``, ``already_done`` (an earlier
    run into that folder finished it), ``fetch_output`` (its job completed, only the output
    is missing) or ``same_bytes`` (another path has its bytes and is sent for both)."""
    output: Optional[str] = None
    """With ``out``: its output, relative to that folder."""
    sha256: Optional[str] = None
    """With ``out``: the SHA-256 of its bytes, lowercase hex."""
    same_bytes_as: Optional[str] = None
    """With ``action == "same_bytes"``: the path sent instead."""
    job_status: Optional[str] = None
    """With ``action == "already_done"``: how its job ended."""
    job_id: Optional[str] = None
    """With ``action == "fetch_output"``: the job whose output is fetched again."""


@dataclass(frozen=True)
class SkippedFile:
    """A file found and left out of the plan."""

    path: str
    reason: str
    """``filtered`` (``include``/``exclude``), ``same_file_as`` (with ``first``) or
    ``link_out_of_folder`` (with ``target``; ``follow_links=True`` follows it)."""
    first: Optional[str] = None
    """With ``same_file_as``: the path it was found at first."""
    target: Optional[str] = None
    """With ``link_out_of_folder``: where the link leads."""


@dataclass(frozen=True)
class RunPlan:
    """What ``run(..., dry_run=True)`` returns, having sent nothing: what
    ``llamacloud batches run --dry-run`` prints."""

    files: Dict[str, PlannedFile]
    """The files the run would send, keyed by path, in path order."""
    skipped: Dict[str, SkippedFile]
    """The files found and left out, keyed by path."""
    stderr: str = field(repr=False)
    """The notes the command line would print on stderr: each file left out and why
    (those ``include``/``exclude`` left out go unsaid), and the totals (``3 files, 12 bytes;
    nothing was sent (dry_run)``)."""

    @property
    def bytes(self) -> int:
        """The bytes of the files in ``files`` (with ``out``, those skipped as done too)."""
        return sum(file.bytes for file in self.files.values())

    @property
    def directories(self) -> List[str]:
        """The directories the run would upload into, in order: the ``directory_id`` given,
        or ``new directory 1 of 2``."""
        return list(dict.fromkeys(file.directory for file in self.files.values()))
