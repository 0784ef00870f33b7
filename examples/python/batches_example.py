#!/usr/bin/env python3
"""List, create, wait on, inspect and cancel LlamaCloud batches from Python, through the
batches C library and nothing but `ctypes` from the standard library.

    cargo build -p batches-ffi --release
    export LLAMA_CLOUD_API_KEY=llx-...
    python3 examples/python/batches_example.py \\
        --library target/release/libbatches_ffi.so --source-directory-id dir-...

Without --source-directory-id it only lists. The client reads its settings from the
environment (LLAMA_CLOUD_API_KEY, LLAMA_CLOUD_BASE_URL) unless --config gives them.

The `Batches` class below is a complete binding of the C API: any language with a C FFI
can do the same.
"""

import argparse
import ctypes
import json
import sys

STATUS_NAMES = {
    0: "BATCHES_OK",
    1: "BATCHES_INVALID_ARGUMENT",
    2: "BATCHES_API_ERROR",
    3: "BATCHES_TRANSPORT_ERROR",
    4: "BATCHES_TIMEOUT",
    5: "BATCHES_DECODE_ERROR",
    6: "BATCHES_CONFIG_ERROR",
    7: "BATCHES_PANIC",
}


class BatchesError(Exception):
    """A failed call: the status name, the HTTP status (0 when the server did not answer
    with an error) and the library's message."""

    def __init__(self, status, http_status, message, request_id):
        super().__init__(message)
        self.status = STATUS_NAMES.get(status, str(status))
        self.http_status = http_status
        self.request_id = request_id


def _declare(lib):
    """Declares the signatures of batches.h, so ctypes converts and checks arguments."""
    handle, text, out = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)
    signatures = {
        "batches_version": (text, []),
        "batches_client_new": (ctypes.c_int, [text, out, out]),
        "batches_client_free": (None, [handle]),
        "batches_list": (ctypes.c_int, [handle, text, out, out]),
        "batches_list_iter_new": (ctypes.c_int, [handle, text, out, out]),
        "batches_list_iter_next": (ctypes.c_int, [handle, out, out]),
        "batches_list_iter_free": (None, [handle]),
        "batches_get": (ctypes.c_int, [handle, text, text, out, out]),
        "batches_create": (ctypes.c_int, [handle, text, out, out]),
        "batches_cancel": (ctypes.c_int, [handle, text, out, out]),
        "batches_wait": (ctypes.c_int, [handle, text, text, out, out]),
        # Strings the library hands over are taken as raw pointers, so they can be freed.
        "batches_string_free": (None, [handle]),
        "batches_error_code": (ctypes.c_int, [handle]),
        "batches_error_http_status": (ctypes.c_int, [handle]),
        "batches_error_message": (text, [handle]),
        "batches_error_request_id": (text, [handle]),
        "batches_error_free": (None, [handle]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes


def _json_arg(value):
    """A dict as the UTF-8 JSON text the library reads; None stays NULL."""
    return None if value is None else json.dumps(value).encode("utf-8")


class Batches:
    """A client of the Batches API. Usable from several threads at once; close it (or use
    `with`) to release it."""

    def __init__(self, library_path, config=None):
        self._lib = ctypes.CDLL(library_path)
        _declare(self._lib)
        self._client = ctypes.c_void_p()
        self._call(self._lib.batches_client_new, _json_arg(config), ctypes.byref(self._client))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._lib.batches_client_free(self._client)
        self._client = ctypes.c_void_p()

    def version(self):
        return self._lib.batches_version().decode("utf-8")

    def _call(self, function, *args):
        err = ctypes.c_void_p()
        status = function(*args, ctypes.byref(err))
        if status != 0:
            lib = self._lib
            request_id = lib.batches_error_request_id(err)
            error = BatchesError(
                status,
                lib.batches_error_http_status(err),
                lib.batches_error_message(err).decode("utf-8"),
                request_id.decode("utf-8") if request_id else None,
            )
            lib.batches_error_free(err)
            raise error

    def _take_json(self, pointer):
        """The JSON document behind a string the library returned, which is then freed."""
        try:
            return json.loads(ctypes.string_at(pointer).decode("utf-8"))
        finally:
            self._lib.batches_string_free(pointer)

    def _json_call(self, function, *args):
        out = ctypes.c_void_p()
        self._call(function, *args, ctypes.byref(out))
        return self._take_json(out)

    def list(self, **params):
        """One page: {"items": [...], "next_page_token": ..., "total_size": ...}."""
        return self._json_call(self._lib.batches_list, self._client, _json_arg(params))

    def iter(self, **params):
        """Every batch of the listing, pages fetched lazily."""
        it = ctypes.c_void_p()
        self._call(self._lib.batches_list_iter_new, self._client, _json_arg(params),
                   ctypes.byref(it))
        try:
            while True:
                batch = ctypes.c_void_p()
                self._call(self._lib.batches_list_iter_next, it, ctypes.byref(batch))
                if not batch:
                    return
                yield self._take_json(batch)
        finally:
            self._lib.batches_list_iter_free(it)

    def get(self, batch_id, **params):
        return self._json_call(self._lib.batches_get, self._client, batch_id.encode("utf-8"),
                               _json_arg(params))

    def create(self, request):
        return self._json_call(self._lib.batches_create, self._client, _json_arg(request))

    def cancel(self, batch_id):
        return self._json_call(self._lib.batches_cancel, self._client, batch_id.encode("utf-8"))

    def wait(self, batch_id, **options):
        return self._json_call(self._lib.batches_wait, self._client, batch_id.encode("utf-8"),
                               _json_arg(options))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", required=True, help="path to libbatches_ffi.so")
    parser.add_argument("--source-directory-id", help="create batches over this directory")
    parser.add_argument("--config", type=json.loads, default=None,
                        help='client settings as JSON, e.g. \'{"region": "eu"}\'')
    args = parser.parse_args()

    with Batches(args.library, args.config) as batches:
        print(f"batches library {batches.version()}")

        total, pages, token = 0, 0, None
        while True:
            page = batches.list(page_size=4, page_token=token)
            total, pages = total + len(page["items"]), pages + 1
            token = page.get("next_page_token")
            if not token:
                break
        print(f"listed {total} batches in {pages} pages")
        print(f"iterated over {sum(1 for _ in batches.iter(page_size=3))} batches")

        if args.source_directory_id:
            request = {
                "source_directory_id": args.source_directory_id,
                "config": {"job": {"configuration_id": "cfg-PARSE_AGENTIC", "type": "parse_v2"}},
            }
            batch = batches.create(request)
            finished = batches.wait(batch["id"], interval_ms=20, timeout_ms=60_000)
            results = batches.get(batch["id"], expand=["results"])["results"]
            print(f"{batch['id']} {finished['status']} with {len(results)} results")

            second = batches.create(request)
            batches.cancel(second["id"])
            cancelled = batches.wait(second["id"], interval_ms=20, timeout_ms=60_000)
            print(f"{second['id']} {cancelled['status']}")

        try:
            batches.get("bat-00000000-0000-0000-0000-000000000000")
        except BatchesError as error:
            print(f"get of an unknown batch: {error.status}: {error}")
        else:
            sys.exit("get of an unknown batch succeeded")


if __name__ == "__main__":
    main()
