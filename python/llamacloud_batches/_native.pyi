"""Types of the compiled part of llamacloud_batches."""

import os
from datetime import date, datetime
from types import TracebackType
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Type,
    TypedDict,
    Union,
    overload,
)

from ._results import RunPlan, RunResult

__version__: str

FaultKind = Literal["500", "503", "429", "reset", "truncate", "slow"]

class Emulator:
    """The LlamaCloud Batches API emulator, serving on a free port of 127.0.0.1 from a thread
    of this process until ``stop()`` or the end of its ``with`` block."""

    def __init__(
        self,
        *,
        seed: int = 0,
        seed_rng: int = 0,
        processing_ms: int = 200,
        fault_rate: float = 0.0,
        fault_kinds: Optional[Sequence[FaultKind]] = None,
        fault_seed: int = 0,
        latency_ms: int = 0,
        api_keys: Union[Mapping[str, str], Sequence[str], None] = None,
        db: Union[str, "os.PathLike[str]", None] = None,
        concurrency_limit: int = 4,
        presign_above: int = 1048576,
        webhook_allow_hosts: Optional[Sequence[str]] = None,
        webhook_retry_ms: int = 1000,
        webhook_timeout_ms: int = 10_000,
        webhook_shuffle: bool = False,
        webhook_duplicate_rate: float = 0.0,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def project_id(self) -> str: ...
    @property
    def running(self) -> bool: ...
    def create_directory_with_files(
        self, name: str = "docs", files: int = 3, *, project_id: Optional[str] = None
    ) -> str: ...
    def webhook_deliveries(self, batch_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every webhook delivery so far (of one batch), oldest first, with its status,
        attempts and last answer."""
    def stop(self) -> None: ...
    def __enter__(self) -> "Emulator": ...
    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> bool: ...

class Model:
    """An object inside a batch (``config``, ``config.job``, an item of ``results``), or a
    job (``client.parse.get``, ``client.extract.get``)."""

    def __getattr__(self, name: str) -> Any: ...
    def to_dict(self, mode: Literal["python", "json"] = "python") -> Dict[str, Any]: ...

class Batch:
    """A batch, kept as the JSON text the server sent and decoded on first use."""

    @property
    def raw(self) -> str:
        """The exact JSON text of the batch."""
    id: str
    status: str
    project_id: str
    source_directory_id: str
    config: Model
    created_at: Optional[datetime]
    updated_at: Optional[datetime]
    results: Optional[List[Model]]
    def __getattr__(self, name: str) -> Any: ...
    def to_dict(self, mode: Literal["python", "json"] = "python") -> Dict[str, Any]: ...

class BatchIterator(Iterator[Batch]):
    """The batches of a listing, fetched a few pages ahead of the loop."""

    def __iter__(self) -> "BatchIterator": ...
    def __next__(self) -> Batch: ...
    @property
    def starting_token(self) -> Optional[str]:
        """Resumes the listing right after the batch handed out last (pass it as
        ``starting_token`` with the same filters); None before the first batch."""

RunEventKind = Literal[
    "file_found",
    "file_skipped",
    "directory_created",
    "directory_reused",
    "uploads_planned",
    "upload_started",
    "upload_finished",
    "upload_failed",
    "batch_created",
    "batch_found",
    "batch_not_created",
    "batch_status_changed",
    "file_result",
    "already_done",
    "same_bytes",
    "output_written",
    "job_failed",
    "run_finished",
]

class RunEvent:
    """Something that happened during ``client.batches.run``, handed to its ``on_event``:
    ``kind``, and the kind's fields as attributes (``event.path``); ``to_dict()`` gives
    both, as the engine's JSON form. Reading a field the kind does not have raises
    ``AttributeError``. A newer engine may add kinds: let ``else`` handle the rest.

    In the order a run tells them (``group`` counts the groups of at most 1,000 files,
    one directory and one batch each, from 0):

    - ``file_found``: ``path: str``, ``bytes: int``, ``group: int``. A file the run
      uploads (or finds uploaded already).
    - ``file_skipped``: ``path: str``, ``reason: str``: ``"filtered"`` (``include`` or
      ``exclude``), ``"same_file_as"`` (with ``first: str``, the path found first) or
      ``"link_out_of_folder"`` (with ``target: str``).
    - ``directory_created``: ``group: int``, ``directory_id: str``. A new ephemeral
      directory for a group.
    - ``directory_reused``: ``group: int``, ``directory_id: str``, ``present: int`` (the
      run's files in it already, not sent again), ``other_files: int``. A directory given
      as ``directory_id``.
    - ``uploads_planned``: ``files: int``, ``bytes: int``. The uploads still to do.
    - ``upload_started``: ``path: str``, ``directory_id: str``, ``attempt: int`` (from 1).
    - ``upload_finished``: ``path: str``, ``directory_id: str``,
      ``directory_file_id: str``, ``bytes: int``.
    - ``upload_failed``: ``path: str``, ``directory_id: str``, ``attempt: int``,
      ``error: str``, ``rate_limited: bool`` (a 429), ``retrying: bool`` (if not, the file
      has an error).
    - ``batch_created``: ``group: int``, ``directory_id: str``, ``batch_id: str``,
      ``files: int``.
    - ``batch_found``: ``group: int``, ``directory_id: str``, ``batch_id: str``. An earlier
      run's batch over exactly these files, followed instead of a new one.
    - ``batch_not_created``: ``group: int``, ``directory_id: str``, ``failed: int``. Some
      uploads of the group failed, so no batch was created (a rerun finishes it).
    - ``batch_status_changed``: ``batch_id: str``, ``status: str`` (``PENDING``,
      ``RUNNING``, …, ``COMPLETED``), ``mapped: int`` (files with a result), ``failed: int``.
    - ``file_result``: ``path: str``, ``status: str`` (``ok``, ``error`` or ``pending``),
      ``directory_id: str``, ``directory_file_id: Optional[str]``,
      ``batch_id: Optional[str]``, ``job_reference: Optional[Dict[str, Any]]``,
      ``error: Optional[str]``: the fields of ``RunFileResult``.
    - With ``out`` (and for ``results``), as each file's output goes:
      ``already_done``: ``path: str``, ``output: Optional[str]``, ``job_status: str`` (an
      earlier call into the same folder finished it; nothing is sent);
      ``same_bytes``: ``path: str``, ``first: str`` (not sent: ``first`` has its bytes);
      ``output_written``: ``path: str``, ``output: str``, ``job_id: str``,
      ``pages: Optional[int]``, ``credits: Optional[float]``;
      ``job_failed``: ``path: str``, ``job_id: str``, ``job_status: str``, ``error: str``.
    - ``run_finished``: ``files: int``, ``ok: int``, ``failed: int``, ``pending: int``.
      The last event of a run that ended (not of one that raised).
    """

    @property
    def kind(self) -> RunEventKind: ...
    def __getattr__(self, name: str) -> Any: ...
    def to_dict(self) -> Dict[str, Any]: ...

DateTimeArgument = Union[datetime, date, str]

OutputForm = Literal["markdown", "text", "json", "items"]

WebhookEvent = Literal[
    "batch.pending", "batch.running", "batch.success", "batch.error", "batch.cancelled"
]

class WebhookConfiguration(TypedDict, total=False):
    """An inline webhook configuration, with the API's keys; ``webhook_url`` is required."""

    webhook_url: str
    webhook_events: Optional[Sequence[WebhookEvent]]
    webhook_headers: Optional[Mapping[str, str]]
    webhook_signing_secret: Optional[str]
    webhook_output_format: Optional[Literal["string", "json"]]

class Batches:
    """The batch operations: ``client.batches``."""

    def list(
        self,
        *,
        status: Optional[str] = None,
        source_directory_id: Optional[str] = None,
        created_at_on_or_after: Optional[DateTimeArgument] = None,
        created_at_on_or_before: Optional[DateTimeArgument] = None,
        page_size: Optional[int] = None,
        page_token: Optional[str] = None,
        project_id: Optional[str] = None,
        organization_id: Optional[str] = None,
        max_items: Optional[int] = None,
        parallel: Optional[int] = None,
        starting_token: Optional[str] = None,
    ) -> BatchIterator: ...
    def get(
        self,
        batch_id: str,
        *,
        expand: Optional[Sequence[str]] = None,
        project_id: Optional[str] = None,
        organization_id: Optional[str] = None,
    ) -> Batch: ...
    def create(
        self,
        *,
        source_directory_id: str,
        config: Mapping[str, Any],
        webhook_configuration_ids: Optional[Sequence[str]] = None,
        webhook_configurations: Optional[Sequence[Mapping[str, Any]]] = None,
        project_id: Optional[str] = None,
        organization_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Batch: ...
    def cancel(
        self,
        batch_id: str,
        *,
        project_id: Optional[str] = None,
        organization_id: Optional[str] = None,
    ) -> Batch: ...
    def wait(
        self,
        batch_id: str,
        *,
        timeout: Optional[float] = None,
        interval: float = 1.0,
        max_interval: float = 10.0,
        expand: Optional[Sequence[str]] = None,
    ) -> Batch: ...
    @overload
    def run(
        self,
        paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
        *,
        job_type: str,
        configuration_id: str,
        directory_id: Union[str, Sequence[str], None] = None,
        split: bool = False,
        include: Union[str, Sequence[str]] = (),
        exclude: Union[str, Sequence[str]] = (),
        upload_concurrency: Optional[int] = None,
        upload_rate: Union[str, int, float, None] = None,
        wait: bool = True,
        timeout: Optional[float] = None,
        on_event: Optional[Callable[[RunEvent], object]] = None,
        out: Union[str, "os.PathLike[str]", None] = None,
        output_form: Optional[OutputForm] = None,
        reprocess: bool = False,
        retry_failed: bool = False,
        export_concurrency: Optional[int] = None,
        follow_links: bool = False,
        allow_other_files: bool = False,
        dry_run: Literal[False] = False,
        webhook_configurations: Optional[Sequence[WebhookConfiguration]] = None,
        webhook_configuration_ids: Union[str, Sequence[str], None] = None,
    ) -> RunResult: ...
    @overload
    def run(
        self,
        paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
        *,
        job_type: str,
        configuration_id: str,
        directory_id: Union[str, Sequence[str], None] = None,
        split: bool = False,
        include: Union[str, Sequence[str]] = (),
        exclude: Union[str, Sequence[str]] = (),
        upload_concurrency: Optional[int] = None,
        upload_rate: Union[str, int, float, None] = None,
        wait: bool = True,
        timeout: Optional[float] = None,
        on_event: Optional[Callable[[RunEvent], object]] = None,
        out: Union[str, "os.PathLike[str]", None] = None,
        output_form: Optional[OutputForm] = None,
        reprocess: bool = False,
        retry_failed: bool = False,
        export_concurrency: Optional[int] = None,
        follow_links: bool = False,
        allow_other_files: bool = False,
        dry_run: Literal[True],
        webhook_configurations: Optional[Sequence[WebhookConfiguration]] = None,
        webhook_configuration_ids: Union[str, Sequence[str], None] = None,
    ) -> RunPlan: ...
    @overload
    def run(
        self,
        paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
        *,
        job_type: str,
        configuration_id: str,
        directory_id: Union[str, Sequence[str], None] = None,
        split: bool = False,
        include: Union[str, Sequence[str]] = (),
        exclude: Union[str, Sequence[str]] = (),
        upload_concurrency: Optional[int] = None,
        upload_rate: Union[str, int, float, None] = None,
        wait: bool = True,
        timeout: Optional[float] = None,
        on_event: Optional[Callable[[RunEvent], object]] = None,
        out: Union[str, "os.PathLike[str]", None] = None,
        output_form: Optional[OutputForm] = None,
        reprocess: bool = False,
        retry_failed: bool = False,
        export_concurrency: Optional[int] = None,
        follow_links: bool = False,
        allow_other_files: bool = False,
        dry_run: bool = False,
        webhook_configurations: Optional[Sequence[WebhookConfiguration]] = None,
        webhook_configuration_ids: Union[str, Sequence[str], None] = None,
    ) -> Union[RunResult, RunPlan]:
        """``llamacloud batches run``, in this process: uploads the files, runs one batch per
        1,000 of them and returns each file's result, keyed by its path. ``on_event`` gets
        each ``RunEvent`` on this thread as it happens; an exception it raises cancels the
        run and propagates. Any exception leaving ``run`` once it started (Ctrl-C's
        ``KeyboardInterrupt``, a signal handler's ``SystemExit``, an API error) stops its
        work and has ``resume_directory_ids``: pass them as ``directory_id`` to finish it.
        With ``out``, each file's result is written into that folder as the run goes
        (``out/PATH.md``; ``output_form`` changes the suffix), with ``manifest.jsonl`` and
        ``summary.json`` (``RunResult.summary``); the same call again skips what is done
        (``reprocess`` processes everything again, ``retry_failed`` the failed files).
        ``webhook_configurations`` (dicts with the API's keys: ``webhook_url``,
        ``webhook_events``, ``webhook_headers``, ``webhook_signing_secret``,
        ``webhook_output_format``) and ``webhook_configuration_ids`` go to each batch
        created. ``dry_run=True`` sends nothing and returns the ``RunPlan``."""
    def results(
        self,
        batch_id: str,
        *,
        out: Union[str, "os.PathLike[str]"],
        output_form: Optional[OutputForm] = None,
        reprocess: bool = False,
        export_concurrency: Optional[int] = None,
        on_event: Optional[Callable[[RunEvent], object]] = None,
    ) -> RunResult:
        """``llamacloud batches results BATCH_ID --out DIR``, in this process: waits for the
        batch to end, writes each file's output into ``out`` (named from its directory
        file's ``display_name``, made safe; ``output_form`` ``markdown``, the default for
        parse, ``text``, ``json`` or ``items``; extract results are ``json``), with
        ``manifest.jsonl`` and ``summary.json``, and returns a ``RunResult`` keyed by those
        names, with its ``summary``. The same call again writes only the outputs missing
        (``reprocess`` writes them all); ``export_concurrency`` jobs are followed at once
        (1 to 64, default 16). An unknown batch raises ``NotFoundError``; ``on_event``,
        Ctrl-C and the GIL as for ``run``."""

class ParseJobs:
    """The parse job operations: ``client.parse``."""

    def get(
        self,
        job_id: str,
        *,
        expand: Optional[Sequence[str]] = None,
        project_id: Optional[str] = None,
        organization_id: Optional[str] = None,
    ) -> Model:
        """A parse job (``pjb-…``) and what ``expand`` asks for (``markdown_full``, ``text``,
        ``items``, ``usage``, …), as a ``ParseJobResult`` model: ``.job.status``,
        ``.markdown_full``. A document too large to be sent inline is fetched from its
        presigned URL (without the key) and given as ``markdown_full``, ``text_full`` or
        ``items``."""

class ExtractJobs:
    """The extract job operations: ``client.extract``."""

    def get(
        self,
        job_id: str,
        *,
        expand: Optional[Sequence[str]] = None,
        project_id: Optional[str] = None,
        organization_id: Optional[str] = None,
    ) -> Model:
        """An extract job (``ejb-…``) and its ``extract_result``, with what ``expand`` asks
        for (``configuration``, ``extract_metadata``, ``usage``), as an ``ExtractJob``
        model."""

class Client:
    """A client of the LlamaCloud Batches API. Unset arguments come from the environment
    (LLAMA_CLOUD_API_KEY, LLAMA_CLOUD_BASE_URL, proxies, SSL_CERT_FILE), then the defaults."""

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        region: Optional[Literal["na", "eu"]] = None,
        max_retries: Optional[int] = None,
        timeout: Optional[float] = None,
        ca_bundle: Union[str, "os.PathLike[str]", None] = None,
        proxy: Optional[str] = None,
    ) -> None: ...
    @property
    def batches(self) -> Batches: ...
    @property
    def parse(self) -> ParseJobs: ...
    @property
    def extract(self) -> ExtractJobs: ...

def verify_webhook(
    body: Union[bytes, bytearray, str], signature: Optional[str], secret: str
) -> Model:
    """See ``llamacloud_batches.webhooks.verify``."""
