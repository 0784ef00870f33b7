/*
 * Runs a folder through batches_run against a running emulator, through the checked-in
 * header and the built library only: one run followed to the end with an event callback,
 * then a second run cancelled from its callback.
 *
 * Usage: run_test FOLDER FILES
 * FOLDER holds FILES files and nothing else; its path needs no JSON escaping. The client
 * is configured from the environment (LLAMA_CLOUD_API_KEY, LLAMA_CLOUD_BASE_URL). Exits 0
 * when every check passed; otherwise prints the failed check and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batches.h"

static int failures = 0;

#define CHECK(condition, ...)                                            \
  do {                                                                   \
    if (!(condition)) {                                                  \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__,   \
              #condition);                                               \
      fprintf(stderr, __VA_ARGS__);                                      \
      fprintf(stderr, "\n");                                             \
      failures++;                                                        \
    }                                                                    \
  } while (0)

/* What a callback saw, and the kind of event at which it cancels (NULL: never). */
struct seen {
  int events;
  int found;
  int uploaded;
  int results;
  int finished;
  const char *cancel_at;
};

static int is_kind(const char *event_json, const char *kind) {
  char needle[64];
  snprintf(needle, sizeof needle, "\"kind\":\"%s\"", kind);
  return strstr(event_json, needle) != NULL;
}

static int on_event(const char *event_json, void *user_data) {
  struct seen *seen = user_data;
  seen->events++;
  seen->found += is_kind(event_json, "file_found");
  seen->uploaded += is_kind(event_json, "upload_finished");
  seen->results += is_kind(event_json, "file_result");
  seen->finished += is_kind(event_json, "run_finished");
  return seen->cancel_at != NULL && is_kind(event_json, seen->cancel_at);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: run_test FOLDER FILES\n");
    return 2;
  }
  int files = atoi(argv[2]);
  batches_client *client = NULL;
  batches_error *err = NULL;
  if (batches_client_new(NULL, &client, &err) != BATCHES_OK) {
    fprintf(stderr, "client: %s\n", batches_error_message(err));
    batches_error_free(err);
    return 1;
  }
  char options[4096];
  snprintf(options, sizeof options,
           "{\"paths\": [\"%s\"], \"job_type\": \"parse_v2\", "
           "\"configuration_id\": \"cfg-PARSE_AGENTIC\", \"upload_rate\": \"1000/s\", "
           "\"upload_concurrency\": 1, \"poll_interval\": 0.05}",
           argv[1]);

  /* A whole run: every file found, uploaded and given a result, then the report. */
  struct seen seen = {0};
  char *report = NULL;
  batches_status status = batches_run(client, options, on_event, &seen, &report, &err);
  if (status != BATCHES_OK) {
    fprintf(stderr, "batches_run failed with status %d: %s\n", (int)status,
            batches_error_message(err));
    batches_error_free(err);
    batches_client_free(client);
    return 1;
  }
  CHECK(err == NULL, "an error was stored on success");
  CHECK(seen.found == files, "%d file_found events", seen.found);
  CHECK(seen.uploaded == files, "%d upload_finished events", seen.uploaded);
  CHECK(seen.results == files, "%d file_result events", seen.results);
  CHECK(seen.finished == 1, "%d run_finished events", seen.finished);
  CHECK(strstr(report, "\"outcome\":{\"kind\":\"completed\"}") != NULL, "report: %s", report);
  CHECK(strstr(report, "\"job_reference\":{") != NULL, "report: %s", report);
  printf("  run: %d events, report of %zu bytes\n", seen.events, strlen(report));
  batches_string_free(report);

  /* A run cancelled by its callback at the first upload: no report, and a message that
   * names the directory which finishes it. */
  struct seen cancelled = {0};
  cancelled.cancel_at = "upload_finished";
  report = NULL;
  status = batches_run(client, options, on_event, &cancelled, &report, &err);
  CHECK(status == BATCHES_CANCELLED, "status %d", (int)status);
  CHECK(report == NULL, "a report was written on failure");
  CHECK(cancelled.uploaded == 1, "%d uploads seen after the cancel", cancelled.uploaded);
  CHECK(cancelled.finished == 0, "the cancelled run finished");
  if (err != NULL) {
    CHECK(batches_error_code(err) == BATCHES_CANCELLED, "code %d",
          (int)batches_error_code(err));
    const char *message = batches_error_message(err);
    CHECK(strstr(message, "\"directory_ids\": [\"dir-") != NULL, "message: %s", message);
    printf("  cancelled -> %s\n", message);
    batches_error_free(err);
  }

  batches_client_free(client);
  if (failures > 0) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("all run checks passed\n");
  return 0;
}
