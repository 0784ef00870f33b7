"""The pytest plugin of llamacloud_batches (registered through the ``pytest11`` entry point).

Fixtures:

- ``llamacloud_emulator``: an ``Emulator`` started for the test and stopped after it.
  Options are ``Emulator``'s keyword arguments, given with the marker
  ``@pytest.mark.llamacloud_emulator(fault_rate=0.3, seed=100)`` or by indirect
  parametrisation (``@pytest.mark.parametrize("llamacloud_emulator", [{...}],
  indirect=True)``); the parameter wins over the marker.
- ``llamacloud_env``: the same emulator, with ``LLAMA_CLOUD_BASE_URL`` and
  ``LLAMA_CLOUD_API_KEY`` set to it for the test (and 127.0.0.1 added to ``NO_PROXY``),
  so code that builds ``LlamaCloud()`` or ``Client()`` from the environment talks to it.
- ``llamacloud_webhooks``: a ``webhooks.WebhookReceiver`` on a free port of 127.0.0.1 for
  the test: put ``llamacloud_webhooks.configuration()`` (its ``url`` and ``secret``) in a
  batch create's ``webhook_configurations``; ``llamacloud_webhooks.next_event(timeout)``
  waits for the next verified event, ``events`` and ``rejected`` list what arrived.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator

import pytest

from ._native import Emulator
from .webhooks import WebhookReceiver

MARKER = "llamacloud_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): keyword arguments of the Emulator that the "
        "llamacloud_emulator fixture starts (seed, processing_ms, fault_rate, fault_kinds, "
        "latency_ms, api_keys, db, ...)",
    )


def _options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    options: Dict[str, Any] = {}
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        if marker.args:
            raise TypeError(
                f"@pytest.mark.{MARKER} takes keyword arguments only, e.g. "
                f"@pytest.mark.{MARKER}(fault_rate=0.3)"
            )
        options.update(marker.kwargs)
    param = getattr(request, "param", None)
    if param is not None:
        if not isinstance(param, dict):
            raise TypeError(
                f"parametrise {MARKER} with dicts of Emulator keyword arguments, got {param!r}"
            )
        options.update(param)
    return options


@pytest.fixture
def llamacloud_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """An emulator on a free port of 127.0.0.1, for this test only."""
    with Emulator(**_options(request)) as emulator:
        yield emulator


@pytest.fixture
def llamacloud_env(
    llamacloud_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Emulator:
    """The emulator, with the official clients' environment variables pointing at it."""
    monkeypatch.setenv("LLAMA_CLOUD_BASE_URL", llamacloud_emulator.base_url)
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", llamacloud_emulator.api_key)
    # A proxy configured for the machine must not carry requests to this local server.
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [host for host in os.environ.get(name, "").split(",") if host.strip()]
        monkeypatch.setenv(name, ",".join(hosts + ["127.0.0.1"]))
    return llamacloud_emulator


@pytest.fixture
def llamacloud_webhooks() -> Iterator[WebhookReceiver]:
    """A webhook receiver on a free port of 127.0.0.1 that verifies each delivery with its
    secret, for this test only."""
    with WebhookReceiver() as receiver:
        yield receiver
