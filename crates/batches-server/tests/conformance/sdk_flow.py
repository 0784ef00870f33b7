"""The documented getting-started flow, run with the official SDK (llama-cloud 2.19.0).

Usage: python sdk_flow.py BASE_URL API_KEY

The client validates every response against the SDK's own models
(`_strict_response_validation=True`), so a shape the SDK does not expect fails the run
with APIResponseValidationError. Exits non-zero on the first failed check.
"""

import json
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone

import llama_cloud
from llama_cloud import (
    APIResponseValidationError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    LlamaCloud,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_error(error_class, call, what):
    try:
        call()
    except APIResponseValidationError:
        raise
    except error_class as error:
        body = error.body
        check(isinstance(body, dict) and "detail" in body, f"{what}: body {body!r} has no detail")
        return error
    raise AssertionError(f"{what}: expected {error_class.__name__}")


def wait_terminal(client, batch_id):
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch = client.batches.get(batch_id)
        if not seen or seen[-1] != batch.status:
            seen.append(batch.status)
        if batch.status in TERMINAL:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} never finished: {seen}")


def wait_job(get, status_of):
    """A job, polled until it is terminal."""
    for _ in range(2000):
        job = get()
        if status_of(job) in ("COMPLETED", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.02)
    raise AssertionError("the job never finished")


def main():
    base_url, api_key = sys.argv[1], sys.argv[2]
    check(llama_cloud.__version__ == "2.19.0", f"SDK version {llama_cloud.__version__}")
    client = LlamaCloud(
        api_key=api_key, base_url=base_url, max_retries=0, _strict_response_validation=True
    )

    # 1. An ephemeral source directory with uploaded files.
    directory = client.beta.directories.create(name="getting-started", type="ephemeral")
    check(directory.id.startswith("dir-") and directory.type == "ephemeral", directory)
    check(client.beta.directories.get(directory.id).name == "getting-started", "get directory")
    uploaded = [
        client.beta.directories.files.upload(
            directory.id, upload_file=("invoice.pdf", b"%PDF-1.7 invoice", "application/pdf")
        ),
        client.beta.directories.files.upload(
            directory.id,
            upload_file=("contract.docx", b"PK contract"),
            display_name="Contract",
            external_file_id="crm-17",
            metadata=json.dumps({"customer": "acme", "pages": 4}),
        ),
        client.beta.directories.files.upload(
            directory.id, upload_file=("photo.png", b"\x89PNG"), unique_id="photo-1"
        ),
    ]
    check(uploaded[1].display_name == "Contract" and uploaded[1].unique_id == "crm-17", uploaded[1])
    check(uploaded[1].metadata == {"customer": "acme", "pages": 4}, uploaded[1].metadata)
    check(uploaded[2].unique_id == "photo-1", uploaded[2])
    files = list(client.beta.directories.files.list(directory.id, page_size=2))
    check([f.id for f in files] == [f.id for f in uploaded], "files listed across pages in order")

    # A second directory gets a file by id; directories list across pages.
    other = client.beta.directories.create(name="copies")
    added = client.beta.directories.files.add(other.id, file_id=uploaded[0].file_id)
    check(added.display_name == "invoice.pdf" and added.directory_id == other.id, added)
    names = [d.name for d in client.beta.directories.list(page_size=1)]
    check(names[-2:] == ["getting-started", "copies"], names)
    check(
        [d.id for d in client.beta.directories.list(type="ephemeral")][-1] == directory.id,
        "directory type filter",
    )

    # 2. A batch over the directory, polled until it ends, then read with its results.
    batch = client.batches.create(
        source_directory_id=directory.id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_AGENTIC"}},
        webhook_configurations=[
            {"webhook_url": "http://127.0.0.1:9/hook", "webhook_events": ["batch.success"]}
        ],
    )
    check(batch.status == "PENDING" and batch.id.startswith("bat-"), batch)
    check(isinstance(batch.created_at, datetime) and batch.created_at.tzinfo is not None, batch)
    seen = wait_terminal(client, batch.id)
    check(seen[-1] == "COMPLETED" and "RUNNING" in seen, seen)
    done = client.batches.get(batch.id, expand=["results"])
    check(done.results is not None and len(done.results) == 3, done)
    check([r.source_directory_file_id for r in done.results] == [f.id for f in uploaded], done)
    for result in done.results:
        check(result.job_reference is not None and result.job_reference.type == "parse_v2", result)
        check(result.job_reference.id.startswith("pjb-") and result.error_message is None, result)
    check(client.batches.get(batch.id).results is None, "results only with expand")

    extract = client.batches.create(
        source_directory_id=other.id,
        config={"job": {"type": "extract_v2", "configuration_id": "cfg-EXTRACT_INVOICE"}},
    )
    check(wait_terminal(client, extract.id)[-1] == "COMPLETED", "extract batch")

    # 3. Listing: every filter, and auto-pagination over several pages.
    everything = list(client.batches.list(page_size=25))
    check(len(everything) >= 100, f"only {len(everything)} batches listed")
    check(len({b.id for b in everything}) == len(everything), "duplicates in the listing")
    check(everything[0].id == extract.id and everything[1].id == batch.id, "newest first")
    pages = list(client.batches.list(page_size=25).iter_pages())
    check(len(pages) == -(-len(everything) // 25), f"{len(pages)} pages")
    for status in ["PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]:
        listed = list(client.batches.list(status=status, page_size=10))
        expected = [b.id for b in everything if b.status == status]
        check([b.id for b in listed] == expected, f"status={status}")
    by_directory = list(client.batches.list(source_directory_id=directory.id))
    check([b.id for b in by_directory] == [batch.id], "source_directory_id filter")
    middle = everything[len(everything) // 2]
    after = list(client.batches.list(created_at_on_or_after=middle.created_at, page_size=7))
    check(after == everything[: len(everything) // 2 + 1], "created_at_on_or_after is inclusive")
    before = list(client.batches.list(created_at_on_or_before=middle.created_at, page_size=7))
    check(before == everything[len(everything) // 2 :], "created_at_on_or_before is inclusive")
    window = list(
        client.batches.list(
            created_at_on_or_after=datetime.now(timezone.utc) - timedelta(minutes=10),
            created_at_on_or_before=(datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat(),
            status="COMPLETED",
            source_directory_id=directory.id,
            project_id="prj-local",
            organization_id="org-local",
        )
    )
    check([b.id for b in window] == [batch.id], "every filter combined")

    # 4. Cancel, and a second cancel of the now terminal batch.
    running = client.batches.create(
        source_directory_id=directory.id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
    )
    cancelled = client.batches.cancel(running.id)
    check(cancelled.id == running.id, cancelled)
    check(wait_terminal(client, running.id)[-1] == "CANCELLED", "cancelled batch")

    # 5. The error classes, with the default retrying client for the 409: the server says
    # not to retry it, so it must come back at once.
    retrying = LlamaCloud(api_key=api_key, base_url=base_url, _strict_response_validation=True)
    started = time.monotonic()
    conflict = expect_error(ConflictError, lambda: retrying.batches.cancel(running.id), "409")
    check(time.monotonic() - started < 2, "409 was retried")
    check("cannot be cancelled" in conflict.body["detail"], conflict.body)
    wrong_key = LlamaCloud(api_key="llx-wrong", base_url=base_url, max_retries=0)
    error = expect_error(AuthenticationError, lambda: wrong_key.batches.list(), "401")
    check(error.body == {"detail": "Invalid authentication token"}, error.body)
    expect_error(NotFoundError, lambda: client.batches.get("bat-missing"), "404")
    expect_error(
        NotFoundError,
        lambda: client.batches.create(
            source_directory_id="dir-missing",
            config={"job": {"type": "parse_v2", "configuration_id": "cfg-1"}},
        ),
        "404 directory",
    )
    error = expect_error(
        UnprocessableEntityError, lambda: list(client.batches.list(page_size=0)), "422 page_size"
    )
    check(error.body["detail"][0]["loc"] == ["query", "page_size"], error.body)
    error = expect_error(
        UnprocessableEntityError,
        lambda: client.batches.create(
            source_directory_id=directory.id,
            config={"job": {"type": "ocr_v9", "configuration_id": "cfg-1"}},
        ),
        "422 job type",
    )
    check(error.body["detail"][0]["loc"] == ["body", "config", "job", "type"], error.body)
    expect_error(
        PermissionDeniedError, lambda: client.batches.list(project_id="prj-other"), "403"
    )
    first_page = client.batches.list(page_size=5, status="COMPLETED")
    expect_error(
        BadRequestError,
        lambda: client.batches.list(page_token=first_page.next_page_token, status="FAILED"),
        "400 token reuse",
    )

    # 6. The jobs a batch produced: a parse result and an extract result, read with the
    # SDK's `parsing.get` and `extract.get`.
    documents = client.beta.directories.create(name="documents", type="ephemeral")
    notes = "# Planning\n\nParse the Q3 invoices.\n"
    client.beta.directories.files.upload(documents.id, upload_file=("notes.md", notes.encode()))
    client.beta.directories.files.upload(
        documents.id, upload_file=("invoice.md", b"Invoice 2026-001\nTotal: 1,250.00 EUR\n")
    )
    parse_batch = client.batches.create(
        source_directory_id=documents.id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_AGENTIC"}},
    )
    check(wait_terminal(client, parse_batch.id)[-1] == "COMPLETED", "parse batch")
    parse_job = client.batches.get(parse_batch.id, expand=["results"]).results[0].job_reference.id
    parsed = wait_job(lambda: client.parsing.get(
        parse_job,
        expand=["markdown", "markdown_full", "text", "text_full", "items", "metadata",
                "job_metadata", "usage", "markdown_content_metadata"],
    ), lambda got: got.job.status)
    check(parsed.job.id == parse_job and parsed.job.status == "COMPLETED", parsed.job)
    check(parsed.markdown_full == notes and parsed.text_full == notes, parsed)
    check(parsed.markdown.pages[0].markdown == notes and parsed.markdown.pages[0].success, parsed)
    check(parsed.text.pages[0].page_number == 1, parsed.text)
    check(parsed.items.pages[0].items[0].type == "heading", parsed.items)
    check(len(parsed.metadata.pages) == 1 and parsed.job_metadata["page_count"] == 1, parsed)
    check(parsed.job.usage.credits == 10.0 and parsed.job.tier == "agentic", parsed.job)
    content = parsed.result_content_metadata["markdown"]
    check(content.exists and content.size_bytes == len(notes) and content.presigned_url, content)
    failed = wait_job(lambda: client.parsing.get(done.results[0].job_reference.id),
                      lambda got: got.job.status)
    check(failed.job.status == "FAILED" and "not a PDF" in failed.job.error_message, failed.job)

    extract_batch = client.batches.create(
        source_directory_id=documents.id,
        config={"job": {"type": "extract_v2", "configuration_id": "cfg-EXTRACT_INVOICE"}},
    )
    check(wait_terminal(client, extract_batch.id)[-1] == "COMPLETED", "extract batch")
    extract_results = client.batches.get(extract_batch.id, expand=["results"]).results
    extract_job = extract_results[1].job_reference.id
    extracted = wait_job(lambda: client.extract.get(
        extract_job, expand=["configuration", "extract_metadata", "usage"]
    ), lambda got: got.status)
    check(extracted.status == "COMPLETED" and extracted.id == extract_job, extracted)
    check(extracted.extract_result["invoice_number"] == "2026-001", extracted.extract_result)
    check(extracted.extract_result["total_amount"] == 1250.0, extracted.extract_result)
    check(extracted.extract_result["currency"] == "EUR", extracted.extract_result)
    check("invoice_number" in extracted.configuration.data_schema["properties"], extracted)
    check(extracted.usage.credits == 18.0 and extracted.extract_metadata.parse_tier, extracted)
    # Its parse job, a parse job like any other: the document it read, its pages.
    its_parse = client.parsing.get(
        extracted.extract_metadata.parse_job_id, expand=["text_full", "job_metadata", "usage"]
    )
    check(its_parse.job.status == "COMPLETED" and its_parse.job_metadata["page_count"] == 1,
          its_parse)
    check(its_parse.text_full.startswith("Invoice 2026-001"), its_parse)
    check(its_parse.job.usage.credits == extracted.usage.parse_credits, its_parse.job)
    expect_error(NotFoundError, lambda: client.parsing.get("pjb-missing"), "404 parse job")

    # 7. Saved webhook configurations: the secret is write-only.
    saved = client.webhook_configs.create(
        webhook_url="http://127.0.0.1:9/hooks",
        webhook_events=["batch.success"],
        webhook_headers={"X-Team": "finance"},
        webhook_output_format="json",
        webhook_signing_secret="whsec-sdk-flow",
    )
    check(saved.id.startswith("whc-") and saved.has_secret, saved)
    check(saved.tenant_type == "project" and saved.webhook_output_format == "json", saved)
    check("whsec-sdk-flow" not in saved.model_dump_json(), "the secret was returned")
    check(client.webhook_configs.retrieve(saved.id) == saved, "retrieve webhook config")
    updated = client.webhook_configs.update(saved.id, webhook_events=["batch.success", "batch.error"])
    check(updated.webhook_events == ["batch.success", "batch.error"] and updated.has_secret, updated)
    check(updated.webhook_headers == {"X-Team": "finance"}, updated)
    with warnings.catch_warnings():  # the SDK marks the unpaginated listing deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        listed = client.webhook_configs.list()
    check([c.id for c in listed] == [saved.id], "list webhook configs")
    hooked = client.batches.create(
        source_directory_id=directory.id,
        config={"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
        webhook_configuration_ids=[saved.id],
    )
    check(hooked.status == "PENDING", hooked)
    client.webhook_configs.delete(saved.id)
    expect_error(NotFoundError, lambda: client.webhook_configs.retrieve(saved.id), "404 config")
    expect_error(
        BadRequestError,
        lambda: client.webhook_configs.create(webhook_url="https://example.invalid/hook"),
        "400 webhook URL off loopback",
    )
    check(wait_terminal(client, hooked.id)[-1] == "COMPLETED", "batch with a saved webhook")
    print("sdk flow: ok")


if __name__ == "__main__":
    main()
