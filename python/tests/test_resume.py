"""`starting_token`: a listing resumed exactly after the batch handed out last, page by page
or in parallel, also when batches were created in between."""

from __future__ import annotations

from itertools import islice
from typing import List, Optional

import pytest

from llamacloud_batches import Batch, Client, Emulator

PARSE = {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}}


def client_of(emulator: Emulator) -> Client:
    return Client(api_key=emulator.api_key, base_url=emulator.base_url)


def ids(batches: object) -> List[str]:
    return [b.id for b in batches]  # type: ignore[attr-defined]


@pytest.mark.llamacloud_emulator(seed=120, processing_ms=60_000)
@pytest.mark.parametrize("parallel", [None, 4])
def test_resume_exactly_after_the_last_batch(
    llamacloud_emulator: Emulator, parallel: Optional[int]
) -> None:
    client = client_of(llamacloud_emulator)
    every = ids(client.batches.list(page_size=50))
    assert len(every) == 120

    listing = client.batches.list(page_size=7, parallel=parallel)
    assert listing.starting_token is None
    first = ids(islice(listing, 33))  # stops inside a page
    token = listing.starting_token
    assert first == every[:33] and token is not None

    # Newer batches created meanwhile do not shift the position.
    directory = llamacloud_emulator.create_directory_with_files("new", 1)
    client.batches.create(source_directory_id=directory, config=PARSE)

    resumed = client.batches.list(page_size=10, starting_token=token, parallel=parallel)
    assert resumed.starting_token == token  # nothing handed out yet: the same position
    assert ids(resumed) == every[33:]


@pytest.mark.llamacloud_emulator(seed=40)
def test_resume_with_filters_and_a_limit(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    completed = ids(client.batches.list(status="COMPLETED"))
    assert len(completed) > 4
    listing = client.batches.list(status="COMPLETED", page_size=3, max_items=4)
    assert ids(listing) == completed[:4]
    token = listing.starting_token
    assert token is not None
    rest = client.batches.list(status="COMPLETED", starting_token=token)
    assert ids(rest) == completed[4:]

    with pytest.raises(ValueError, match="listing with other filters"):
        next(client.batches.list(status="FAILED", starting_token=token))
    with pytest.raises(ValueError, match="not a starting token"):
        client.batches.list(starting_token="nonsense!")
    with pytest.raises(ValueError, match="not both"):
        client.batches.list(status="COMPLETED", starting_token=token, page_token="p")


@pytest.mark.llamacloud_emulator(seed=300)
def test_parallel_lists_the_same_batches_in_the_same_order(llamacloud_emulator: Emulator) -> None:
    client = client_of(llamacloud_emulator)
    sequential: List[Batch] = list(client.batches.list(page_size=20))
    parallel = list(client.batches.list(page_size=20, parallel=6))
    assert [b.raw for b in parallel] == [b.raw for b in sequential]
    assert ids(client.batches.list(parallel=3, max_items=45)) == ids(sequential[:45])
    with pytest.raises(ValueError, match="from 2 to 64"):
        client.batches.list(parallel=1)
