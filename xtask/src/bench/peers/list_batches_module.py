"""This project's Python module (llamacloud_batches) iterating client.batches.list(), for
`cargo xtask bench --peers`: every batch of the listing, its id and status read as an
application would, then written as one JSON line (the exact JSON the server sent).

usage: python list_batches_module.py PAGE_SIZE [PARALLEL]    (key and base URL from the
environment)"""
import sys

import llamacloud_batches

client = llamacloud_batches.Client()
parallel = int(sys.argv[2]) if len(sys.argv) > 2 else None
write = sys.stdout.write
for batch in client.batches.list(page_size=int(sys.argv[1]), parallel=parallel):
    if not batch.id or not batch.status:
        raise SystemExit(f"a batch without id or status: {batch.raw}")
    write(batch.raw)
    write("\n")
