"""`client.batches.run`: `llamacloud batches run`, run as the command line this package
ships (installed beside the interpreter's scripts), with the client's settings.

The command line is the one implementation of a run (finding, checking and splitting the
files, uploading them at the project's rate, creating each batch once, following the
batches, mapping every result to its path); this module only starts it, hands it the
client's settings and reads its JSON results and exit status.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    LlamaCloudError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

__all__ = ["RunFileResult", "RunResult", "run"]

PathArgument = Union[str, "os.PathLike[str]"]

# The command line's proxy variables; the client's `proxy` replaces all of them in the
# child, so it beats the environment as it does in the client, and no password reaches the
# command line.
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")

STATUS_CLASSES = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


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
    """Why the file has no job."""


@dataclass(frozen=True)
class RunResult:
    """The outcome of a run: every file's result, keyed by its path, and the command line's
    exit status (0 every file has a job, 4 a file has an error or a batch ended FAILED or
    CANCELLED, 5 the ``timeout`` passed)."""

    results: Dict[str, RunFileResult]
    exit_code: int
    stderr: str = field(repr=False)
    """The command line's messages: the error, and the command that resumes the run."""

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


def executable() -> str:
    """The `llamacloud` binary installed with this distribution."""
    try:
        files = metadata.distribution("llamacloud-batches").files or []
    except metadata.PackageNotFoundError:
        files = []
    name = "llamacloud.exe" if os.name == "nt" else "llamacloud"
    for file in files:
        if file.name == name and file.parent.name in ("bin", "Scripts"):
            located = Path(str(file.locate())).resolve()
            if located.is_file():
                return str(located)
    raise LlamaCloudError(
        "the llamacloud command line of the llamacloud-batches distribution is not installed "
        "(it comes with the wheel; reinstall it with pip)"
    )


def run(
    settings: Mapping[str, Any],
    paths: Union[PathArgument, Sequence[PathArgument]],
    *,
    job_type: str,
    configuration_id: str,
    directory_id: Union[str, Sequence[str], None] = None,
    split: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    upload_concurrency: Optional[int] = None,
    upload_rate: Union[str, int, None] = None,
    wait: bool = True,
    timeout: Optional[float] = None,
) -> RunResult:
    """Runs `llamacloud batches run` with the client's `settings` (see the package README)."""
    arguments = ["batches", "run", "--format", "json", "--quiet"]
    arguments += ["--job-type", str(job_type), "--configuration-id", str(configuration_id)]
    for option, values in (("--include", include), ("--exclude", exclude)):
        arguments += [part for value in strings(values, option) for part in (option, value)]
    directories = strings(directory_id or (), "directory_id")
    arguments += [part for value in directories for part in ("--directory-id", value)]
    if split:
        arguments.append("--split")
    if upload_concurrency is not None:
        arguments += ["--upload-concurrency", str(int(upload_concurrency))]
    if upload_rate is not None:
        rate = f"{upload_rate}/s" if isinstance(upload_rate, int) else str(upload_rate)
        arguments += ["--upload-rate", rate]
    if not wait:
        arguments.append("--no-wait")
    if timeout is not None:
        arguments += ["--timeout", milliseconds(timeout, "timeout")]
    for name, option in (
        ("base_url", "--base-url"),
        ("region", "--region"),
        ("max_retries", "--max-retries"),
        ("ca_bundle", "--ca-bundle"),
    ):
        value = settings.get(name)
        if value is not None:
            arguments += [option, os.fspath(value) if name == "ca_bundle" else str(value)]
    listed = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not listed:
        raise ValueError("paths: give at least one file or folder")
    arguments.append("--")
    arguments += [os.fspath(path) for path in listed]

    with tempfile.TemporaryDirectory(prefix="llamacloud-run-") as config_home:
        env = child_environment(settings, config_home)
        return finish(*execute([executable(), *arguments], env))


def strings(values: Union[str, Sequence[str]], name: str) -> List[str]:
    """One text or a sequence of texts, as a list."""
    listed = [values] if isinstance(values, str) else list(values)
    for value in listed:
        if not isinstance(value, str):
            argument = name.lstrip("-").replace("-", "_")
            raise TypeError(f"{argument}: expected str, got {type(value).__name__}")
    return listed


def milliseconds(seconds: float, name: str) -> str:
    """A duration for the command line."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not seconds > 0:
        raise ValueError(f"{name}: a positive number of seconds, got {seconds!r}")
    return f"{max(1, round(seconds * 1000))}ms"


def child_environment(settings: Mapping[str, Any], config_home: str) -> Dict[str, str]:
    """This process's environment, which the command line reads as the client did, with the
    client's arguments the environment has no option for. The configuration home is an
    empty folder (but for the per-request timeout), so no profile changes the settings: the
    client reads none."""
    env = dict(os.environ)
    env.pop("LLAMACLOUD_PROFILE", None)
    env["XDG_CONFIG_HOME"] = config_home
    if settings.get("api_key") is not None:
        env["LLAMA_CLOUD_API_KEY"] = str(settings["api_key"])
    if settings.get("proxy") is not None:
        for name in PROXY_VARIABLES:
            env.pop(name.lower(), None)
            env[name] = str(settings["proxy"])
    if settings.get("timeout") is not None:
        # `--timeout` of `batches run` bounds the wait; the time per request has no option
        # there, so it goes in the (otherwise empty) profile.
        folder = Path(config_home) / "llamacloud"
        folder.mkdir(mode=0o700)
        config = folder / "config.toml"
        per_request = milliseconds(settings["timeout"], "timeout")
        config.write_text(f'[default]\ntimeout = "{per_request}"\n')
        config.chmod(0o600)
    return env


def execute(command: List[str], env: Dict[str, str]) -> Tuple[int, str, str]:
    """Runs `command`; on Ctrl-C, lets it stop as it does on Ctrl-C (printing how to resume)
    and shows its messages before raising KeyboardInterrupt."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        stdout, stderr = process.communicate()
    except KeyboardInterrupt:
        # A terminal sends SIGINT to both processes; a signal sent to this one alone is
        # passed on (a second SIGINT is ignored by the command line).
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        sys.stderr.write(stderr.decode("utf-8", "replace"))
        raise
    return process.returncode, stdout.decode("utf-8"), stderr.decode("utf-8", "replace")


def finish(code: int, stdout: str, stderr: str) -> RunResult:
    """The results, or the exception the exit status means."""
    if code in (0, 4, 5):
        records = json.loads(stdout) if stdout.strip() else []
        results = {record["path"]: RunFileResult(**record) for record in records}
        return RunResult(results=results, exit_code=code, stderr=stderr)
    message = error_message(stderr) or f"llamacloud batches run exited with status {code}"
    if code == 2:
        raise ValueError(message)
    if code == 3:
        raise APIConnectionError(message)
    if code == 130 or code == -signal.SIGINT:
        sys.stderr.write(stderr)
        raise KeyboardInterrupt
    if code == 1:
        status = re.search(r"failed: HTTP (\d{3})\b", message)
        request_id = re.search(r"request id ([\w.:-]+)", message)
        if status:
            number = int(status.group(1))
            default = InternalServerError if number >= 500 else APIStatusError
            kind = STATUS_CLASSES.get(number, default)
            raise kind(
                message,
                status_code=number,
                request_id=request_id.group(1) if request_id else None,
            )
        raise APIError(message)
    raise LlamaCloudError(message)


def error_message(stderr: str) -> str:
    """The command line's messages without its `error: ` prefix."""
    text = stderr.strip()
    return text[len("error: "):] if text.startswith("error: ") else text
