// The official TypeScript SDK with `for await` over client.batches.list(), for
// `cargo xtask bench --peers`: every batch of the listing, one JSON line each.
//
// usage: node list_batches.mjs PAGE_SIZE    (key and base URL from the environment)
import LlamaCloud from '@llamaindex/llama-cloud';

const client = new LlamaCloud();
for await (const batch of client.batches.list({ page_size: Number(process.argv[2]) })) {
  process.stdout.write(JSON.stringify(batch) + '\n');
}
