"""Types of the compiled part of llamacloud_batches."""

import os
from datetime import date, datetime
from types import TracebackType
from typing import Any, Dict, Iterator, List, Literal, Mapping, Optional, Sequence, Type, Union

from ._run import RunResult

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
    """An object inside a batch (``config``, ``config.job``, an item of ``results``)."""

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

DateTimeArgument = Union[datetime, date, str]

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
    def run(
        self,
        paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
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
        """``llamacloud batches run``: uploads the files, runs one batch per 1,000 of them
        and returns each file's result, keyed by its path."""

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

def verify_webhook(
    body: Union[bytes, bytearray, str], signature: Optional[str], secret: str
) -> Model:
    """See ``llamacloud_batches.webhooks.verify``."""
