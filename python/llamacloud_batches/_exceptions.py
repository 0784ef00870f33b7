"""The exceptions of llamacloud_batches, named and arranged as in the official SDK.

LlamaCloudError
├── APIError                      message, body, request_id, status_code (None here)
│   ├── APIConnectionError        no response: connection refused, reset, TLS failure
│   │   └── APITimeoutError       a time limit passed
│   ├── APIResponseValidationError  a 2xx response that is not what the API documents
│   └── APIStatusError            a 4xx or 5xx response
│       ├── BadRequestError (400), AuthenticationError (401),
│       ├── PermissionDeniedError (403), NotFoundError (404), ConflictError (409),
│       ├── UnprocessableEntityError (422), RateLimitError (429)
│       └── InternalServerError (500 and above)
├── WaitTimeoutError              wait(timeout=...) passed before the batch finished
└── WebhookVerificationError      a webhook delivery that is not authentic (or not an event)
"""

from __future__ import annotations

from typing import Optional

__all__ = [
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
    "WebhookVerificationError",
]


class LlamaCloudError(Exception):
    """Every error of the package; alone, a configuration or argument the client refused."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIError(LlamaCloudError):
    """A request failed."""

    body: object
    """The response body, decoded from JSON when it is JSON (a str otherwise); None
    without a response."""

    request_id: Optional[str]
    """The server's x-request-id of the response, if there was one."""

    status_code: Optional[int]
    """The HTTP status, if there was a response."""

    def __init__(
        self,
        message: str,
        *,
        body: object = None,
        request_id: Optional[str] = None,
        status_code: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.body = body
        self.request_id = request_id
        self.status_code = status_code


class APIConnectionError(APIError):
    """No response: the connection could not be made or broke, or TLS failed."""


class APITimeoutError(APIConnectionError):
    """A time limit passed: to connect, for one attempt, or for the whole operation."""


class APIResponseValidationError(APIError):
    """A successful response whose body is not what the API documents."""


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status (after any retries)."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: object = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, body=body, request_id=request_id, status_code=status_code)


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, unknown, or of another region."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409: e.g. cancelling a batch that already finished."""


class UnprocessableEntityError(APIStatusError):
    """422: the request's parameters or body were refused; `body["detail"]` says which."""


class RateLimitError(APIStatusError):
    """429, still after the retries."""


class InternalServerError(APIStatusError):
    """500 or above, still after the retries."""


class WaitTimeoutError(LlamaCloudError, TimeoutError):
    """`wait(timeout=...)` passed before the batch reached a terminal status."""

    batch_id: str
    status: str
    """The batch's status at the last poll."""

    def __init__(self, message: str, *, batch_id: str, status: str) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.status = status


class WebhookVerificationError(LlamaCloudError, ValueError):
    """`webhooks.verify` refused a delivery: answer it 401 (400 for `invalid_event`)."""

    reason: str
    """Why: `missing_signature`, `malformed_signature`, `signature_mismatch` (another
    secret, or a changed body), `empty_secret`, or `invalid_event` (authentic, but not a
    webhook event)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
