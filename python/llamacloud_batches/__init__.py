"""llamacloud_batches: the LlamaCloud Batches API emulator for tests, and a fast client.

- ``Emulator``: the emulator, on a free port of 127.0.0.1 in this process; with the pytest
  fixtures ``llamacloud_emulator`` and ``llamacloud_env`` (this package's pytest plugin).
- ``Client``: the client, written in Rust:
  ``client.batches.list/get/create/cancel/wait/run/results`` (``run`` and ``results``
  telling each step as a ``RunEvent``), ``client.parse.get`` and ``client.extract.get``.
- ``webhooks``: ``webhooks.verify(body, signature, secret)`` for webhook receivers, and a
  receiver for tests (the pytest fixture ``llamacloud_webhooks``).
"""

from . import _exceptions, webhooks
from ._exceptions import *  # noqa: F403 (every exception, named in its __all__)
from ._native import (
    Batch,
    BatchIterator,
    Batches,
    Client,
    Emulator,
    Model,
    RunEvent,
    __version__,
)
from ._results import (
    PlannedFile,
    RunFileResult,
    RunPlan,
    RunResult,
    RunSummary,
    SkippedFile,
)

__all__ = [
    "__version__",
    "Client",
    "Batches",
    "BatchIterator",
    "Batch",
    "Model",
    "RunResult",
    "RunFileResult",
    "RunSummary",
    "RunPlan",
    "PlannedFile",
    "SkippedFile",
    "RunEvent",
    "Emulator",
    "webhooks",
]
__all__ += _exceptions.__all__
