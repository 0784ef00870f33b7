"""The official Python SDK iterating client.batches.list(), for `cargo xtask bench --peers`:
every batch of the listing, one JSON line each.

usage: python list_batches.py PAGE_SIZE    (key and base URL from the environment)"""
import sys

from llama_cloud import LlamaCloud

client = LlamaCloud()
write = sys.stdout.write
for batch in client.batches.list(page_size=int(sys.argv[1])):
    write(batch.to_json(indent=None))
    write("\n")
