"""llamacloud_batches: the LlamaCloud Batches API emulator for tests, and a fast client.

- ``Emulator``: the emulator, on a free port of 127.0.0.1 in this process; with the pytest
  fixtures ``llamacloud_emulator`` and ``llamacloud_env`` (this package's pytest plugin).
- ``Client``: the client, written in Rust: ``client.batches.list/get/create/cancel/wait/run``.
"""

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    LlamaCloudError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from ._native import Batch, BatchIterator, Batches, Client, Emulator, Model, __version__
from ._run import RunFileResult, RunResult

__all__ = [
    "__version__",
    "Client",
    "Batches",
    "BatchIterator",
    "Batch",
    "Model",
    "RunResult",
    "RunFileResult",
    "Emulator",
    "LlamaCloudError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "WaitTimeoutError",
]
