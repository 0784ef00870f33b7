"""Receiving LlamaCloud webhook deliveries.

``verify(body, signature, secret)`` checks a delivery's ``LC-Signature`` header against the
HMAC-SHA256 of its raw body, keyed with the configuration's ``webhook_signing_secret``
(compared in constant time, by the Rust client), and returns the event: a model with
``event_type`` (``batch.pending``, ``batch.running``, ``batch.success``, ``batch.error``,
``batch.cancelled``, or a newer one), ``created_at`` (a ``datetime``) and ``data`` (the
batch as ``get`` returns it). Anything else raises ``WebhookVerificationError``, whose
``reason`` says why. Deliveries come at least once and in any order: key the handling on
``event.data.status``.

    from llamacloud_batches import webhooks

    @app.post("/webhooks/llamacloud")
    def receive(request):
        try:
            event = webhooks.verify(request.body, request.headers.get("LC-Signature"), SECRET)
        except webhooks.WebhookVerificationError:
            return Response(status=401)
        handle(event.data.id, event.data.status)
        return Response(status=204)

``WebhookReceiver`` is a receiver on 127.0.0.1 that verifies and collects deliveries, for
tests (the pytest fixture ``llamacloud_webhooks`` starts one).
"""

from __future__ import annotations

import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Sequence, Union

from ._exceptions import WebhookVerificationError
from ._native import Model, verify_webhook

__all__ = ["SIGNATURE_HEADER", "WebhookReceiver", "WebhookVerificationError", "verify"]

SIGNATURE_HEADER = "LC-Signature"
"""The header carrying a delivery's signature."""


def verify(body: Union[bytes, bytearray, str], signature: Optional[str], secret: str) -> Model:
    """The event of a delivery whose ``signature`` (the ``LC-Signature`` header, ``None``
    when absent) is that of ``body`` (the raw request body, as received) under
    ``secret``; raises ``WebhookVerificationError`` otherwise."""
    return verify_webhook(body, signature, secret)


class WebhookReceiver:
    """A webhook receiver on a free port of 127.0.0.1, on its own thread, answering 204 to
    each verified delivery and 401 to any other. A context manager; ``close()`` stops it.

    ``url`` and ``secret`` go into a webhook configuration (``configuration()`` makes one);
    ``events`` holds the verified events in arrival order, ``next_event(timeout)`` waits
    for the next one not yet taken, and ``rejected`` holds why each refused delivery was
    refused."""

    def __init__(self, secret: Optional[str] = None) -> None:
        self.secret = secret or f"whsec_{secrets.token_hex(16)}"
        self._events: List[Model] = []
        self._rejected: List[str] = []
        self._taken = 0
        self._arrived = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}/webhooks"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="llamacloud-webhooks", daemon=True
        )
        self._thread.start()

    def configuration(self, events: Optional[Sequence[str]] = None, **fields: Any) -> Dict[str, Any]:
        """A ``webhook_configurations`` entry delivering to this receiver, signed with its
        secret; ``events`` limits the events, ``fields`` adds others (``webhook_headers``,
        ``webhook_output_format``)."""
        configuration: Dict[str, Any] = {
            "webhook_url": self.url,
            "webhook_signing_secret": self.secret,
            **fields,
        }
        if events is not None:
            configuration["webhook_events"] = list(events)
        return configuration

    @property
    def events(self) -> List[Model]:
        """Every verified event so far, in arrival order."""
        with self._arrived:
            return list(self._events)

    @property
    def rejected(self) -> List[str]:
        """Why each refused delivery was refused, in arrival order."""
        with self._arrived:
            return list(self._rejected)

    def next_event(self, timeout: float = 30.0) -> Model:
        """The next verified event not yet taken, waiting up to ``timeout`` seconds for it
        (``TimeoutError`` then)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while self._taken >= len(self._events):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"no webhook event within {timeout} s ({len(self._events)} received, "
                        f"{len(self._rejected)} refused: {self._rejected})"
                    )
                self._arrived.wait(left)
            event = self._events[self._taken]
            self._taken += 1
            return event

    def close(self) -> None:
        """Stops receiving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"WebhookReceiver(url={self.url!r}, events={len(self.events)})"

    def _receive(self, body: bytes, signature: Optional[str]) -> int:
        try:
            event = verify(body, signature, self.secret)
        except WebhookVerificationError as error:
            with self._arrived:
                self._rejected.append(str(error))
                self._arrived.notify_all()
            return 401
        with self._arrived:
            self._events.append(event)
            self._arrived.notify_all()
        return 204


def _handler(receiver: WebhookReceiver) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            self.send_response(receiver._receive(body, self.headers.get(SIGNATURE_HEADER)))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the receiver's lists say what arrived."""

    return Handler
