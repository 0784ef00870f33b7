/*
 * Exercises the batches C ABI against a running emulator, through the checked-in header
 * and the built library only.
 *
 * Usage: batches_test SOURCE_DIRECTORY_ID BATCHES_AT_START FILES_IN_DIRECTORY
 * The client is configured from the environment (LLAMA_CLOUD_API_KEY,
 * LLAMA_CLOUD_BASE_URL), as a C program would be in production. Exits 0 when every
 * check passed; otherwise prints the failed check and exits 1.
 */
#include <pthread.h>
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

/* Fails the program unless status is BATCHES_OK, printing the error's message. */
static void expect_ok(const char *what, batches_status status, batches_error *err) {
  if (status != BATCHES_OK) {
    fprintf(stderr, "%s failed with status %d: %s\n", what, (int)status,
            err != NULL ? batches_error_message(err) : "(no error)");
    batches_error_free(err);
    exit(1);
  }
  CHECK(err == NULL, "%s stored an error on success", what);
}

/* Checks a failure's status (and HTTP status), that no output was written, and that the
 * message contains `needle`; frees the error. */
static void expect_error(const char *what, batches_status status, batches_error *err,
                         const char *output, batches_status want, int want_http,
                         const char *needle) {
  CHECK(status == want, "%s: status %d, expected %d", what, (int)status, (int)want);
  CHECK(output == NULL, "%s: an output was written on failure", what);
  if (err == NULL) {
    CHECK(err != NULL, "%s: no error stored", what);
    return;
  }
  CHECK(batches_error_code(err) == want, "%s: error code %d", what,
        (int)batches_error_code(err));
  CHECK(batches_error_http_status(err) == want_http, "%s: HTTP status %d, expected %d",
        what, batches_error_http_status(err), want_http);
  const char *message = batches_error_message(err);
  CHECK(message != NULL && strstr(message, needle) != NULL,
        "%s: message \"%s\" does not contain \"%s\"", what, message, needle);
  printf("  %s -> %s\n", what, message);
  batches_error_free(err);
}

/* How many times `needle` occurs in `text`. */
static int count(const char *text, const char *needle) {
  int n = 0;
  for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle)) {
    n++;
  }
  return n;
}

/* The string value of the first `"name":"…"` in a JSON text (the server writes compact
 * JSON without escapes in ids and tokens), or NULL when absent or not a string. The
 * result is malloc'd. */
static char *string_field(const char *json, const char *name) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":\"", name);
  const char *start = strstr(json, key);
  if (start == NULL) {
    return NULL;
  }
  start += strlen(key);
  const char *end = strchr(start, '"');
  if (end == NULL) {
    return NULL;
  }
  size_t length = (size_t)(end - start);
  char *value = malloc(length + 1);
  memcpy(value, start, length);
  value[length] = '\0';
  return value;
}

static int list_paged(const batches_client *client) {
  int total = 0, pages = 0;
  char *token = NULL;
  do {
    char params[256];
    if (token != NULL) {
      snprintf(params, sizeof params, "{\"page_size\": 4, \"page_token\": \"%s\"}", token);
    } else {
      snprintf(params, sizeof params, "{\"page_size\": 4}");
    }
    free(token);
    char *page = NULL;
    batches_error *err = NULL;
    expect_ok("batches_list", batches_list(client, params, &page, &err), err);
    CHECK(strncmp(page, "{\"items\":[", 10) == 0, "page starts: %.40s", page);
    int items = count(page, "\"source_directory_id\":");
    CHECK(items <= 4, "a page of size 4 held %d items", items);
    total += items;
    pages++;
    token = string_field(page, "next_page_token");
    if (token != NULL && token[0] == '\0') {
      free(token);
      token = NULL;
    }
    batches_string_free(page);
  } while (token != NULL);
  printf("  listed %d batches in %d pages\n", total, pages);
  return total;
}

static int list_iterated(const batches_client *client) {
  batches_list_iter *it = NULL;
  batches_error *err = NULL;
  expect_ok("batches_list_iter_new",
            batches_list_iter_new(client, "{\"page_size\": 3}", &it, &err), err);
  int total = 0;
  for (;;) {
    char *batch = NULL;
    expect_ok("batches_list_iter_next", batches_list_iter_next(it, &batch, &err), err);
    if (batch == NULL) {
      break;
    }
    CHECK(strncmp(batch, "{\"id\":\"bat-", 11) == 0, "item starts: %.40s", batch);
    total++;
    batches_string_free(batch);
  }
  /* Exhausted stays exhausted. */
  char *after = (char *)"sentinel";
  expect_ok("batches_list_iter_next after the end", batches_list_iter_next(it, &after, &err),
            err);
  CHECK(after == NULL, "a batch after the end");
  batches_list_iter_free(it);
  printf("  iterated over %d batches\n", total);
  return total;
}

/* Creates a batch over the directory and returns its id (malloc'd). */
static char *create(const batches_client *client, const char *directory) {
  char request[512];
  snprintf(request, sizeof request,
           "{\"source_directory_id\": \"%s\", \"config\": {\"job\": "
           "{\"configuration_id\": \"cfg-PARSE_AGENTIC\", \"type\": \"parse_v2\"}}}",
           directory);
  char *batch = NULL;
  batches_error *err = NULL;
  expect_ok("batches_create", batches_create(client, request, &batch, &err), err);
  char *id = string_field(batch, "id");
  CHECK(id != NULL && strncmp(id, "bat-", 4) == 0, "created: %s", batch);
  CHECK(strstr(batch, directory) != NULL, "created over another directory: %s", batch);
  batches_string_free(batch);
  return id;
}

struct worker {
  const batches_client *client;
  const char *batch_id;
  int failures;
};

/* Gets the same batch several times; run on several threads sharing one client. */
static void *get_repeatedly(void *arg) {
  struct worker *worker = arg;
  for (int i = 0; i < 5; i++) {
    char *batch = NULL;
    batches_error *err = NULL;
    if (batches_get(worker->client, worker->batch_id, NULL, &batch, &err) != BATCHES_OK ||
        strstr(batch, worker->batch_id) == NULL) {
      worker->failures++;
    }
    batches_string_free(batch);
    batches_error_free(err);
  }
  return NULL;
}

static void error_paths(const batches_client *client) {
  char *out = NULL;
  batches_error *err = NULL;
  batches_status status;

  /* A key the server does not know; the base URL still comes from the environment. */
  batches_client *stranger = NULL;
  expect_ok("batches_client_new with a wrong key",
            batches_client_new("{\"api_key\": \"llx-wrong-key\", \"max_retries\": 0}",
                               &stranger, &err),
            err);
  status = batches_list(stranger, NULL, &out, &err);
  CHECK(err == NULL || strstr(batches_error_message(err), "llx-wrong-key") == NULL,
        "the key appears in the message");
  expect_error("list with a wrong key", status, err, out, BATCHES_API_ERROR, 401,
               "HTTP 401");
  batches_client_free(stranger);

  err = NULL;
  status = batches_get(client, "bat-00000000-0000-0000-0000-000000000000", NULL, &out, &err);
  expect_error("get an unknown id", status, err, out, BATCHES_API_ERROR, 404, "HTTP 404");

  err = NULL;
  status = batches_list(client, "{\"page_size\": }", &out, &err);
  expect_error("list with malformed JSON", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "is not valid JSON: expected value at line 1 column 15");

  err = NULL;
  status = batches_list(client, "{\"status\": \"DONE\"}", &out, &err);
  expect_error("list with an unknown status", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "accepted values: PENDING, THROTTLED, RUNNING, COMPLETED, FAILED, CANCELLED");

  err = NULL;
  status = batches_create(client, "{\"source_directory_id\": \"dir-1\"}", &out, &err);
  expect_error("create without a config", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "missing field `config`");

  err = NULL;
  status = batches_get(client, "bat-\xff", NULL, &out, &err);
  expect_error("get with a non-UTF-8 id", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "`batch_id` is not valid UTF-8");

  err = NULL;
  status = batches_list(NULL, NULL, &out, &err);
  expect_error("list with a NULL client", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "the client `c` is NULL");

  err = NULL;
  status = batches_get(client, NULL, NULL, &out, &err);
  expect_error("get with a NULL id", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "`batch_id` is NULL");

  err = NULL;
  status = batches_cancel(client, "bat-1", NULL, &err);
  expect_error("cancel with a NULL output", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "`batch_json` is NULL");

  err = NULL;
  status = batches_wait(client, NULL, NULL, &out, &err);
  expect_error("wait with a NULL id", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "`batch_id` is NULL");

  err = NULL;
  status = batches_create(client, NULL, &out, &err);
  expect_error("create with a NULL request", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "`request_json` is NULL");

  err = NULL;
  status = batches_list_iter_new(client, NULL, NULL, &err);
  expect_error("iterator with a NULL output", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "`out` is NULL");

  err = NULL;
  status = batches_list_iter_next(NULL, &out, &err);
  expect_error("next on a NULL iterator", status, err, out, BATCHES_INVALID_ARGUMENT, 0,
               "the iterator `it` is NULL");

  /* `err` may be NULL: the status alone reports the failure. */
  CHECK(batches_get(client, NULL, NULL, &out, NULL) == BATCHES_INVALID_ARGUMENT,
        "get with NULL id and NULL err");

  batches_client *unusable = NULL;
  err = NULL;
  status = batches_client_new("{\"base_url\": \"localhost:8080\"}", &unusable, &err);
  expect_error("client with a base URL without scheme", status, err, (char *)unusable,
               BATCHES_CONFIG_ERROR, 0, "use `https://localhost:8080`");

  err = NULL;
  status = batches_client_new("{\"region\": \"us\"}", &unusable, &err);
  expect_error("client with an unknown region", status, err, (char *)unusable,
               BATCHES_CONFIG_ERROR, 0, "accepted values: na, eu");

  /* Accessors and frees accept NULL. */
  CHECK(batches_error_code(NULL) == BATCHES_INVALID_ARGUMENT, "code of NULL");
  CHECK(batches_error_http_status(NULL) == 0, "HTTP status of NULL");
  CHECK(batches_error_message(NULL) == NULL, "message of NULL");
  CHECK(batches_error_request_id(NULL) == NULL, "request id of NULL");
  batches_error_free(NULL);
  batches_string_free(NULL);
  batches_list_iter_free(NULL);
  batches_client_free(NULL);
}

/* A delivery signed with "whsec-c-test": its body and LC-Signature header. */
static const char DELIVERY[] =
    "{\"event_type\":\"batch.success\",\"created_at\":\"2026-11-02T09:17:42.031Z\","
    "\"data\":{\"id\":\"bat-c-1\",\"config\":{\"job\":{\"configuration_id\":"
    "\"cfg-PARSE_FAST\",\"type\":\"parse_v2\"}},\"project_id\":\"prj-local\","
    "\"source_directory_id\":\"dir-c-1\",\"status\":\"COMPLETED\"}}";
static const char SIGNATURE[] =
    "sha256=5e424291a38afc34e593926b1a2c5cefc7183793ece474cc6eea961767e76427";

/* Verifies `body` as a receiver would; checks the refusal when `want` is not OK. */
static void verify_case(const char *what, const char *body, size_t length,
                        const char *signature, const char *secret, batches_status want,
                        const char *needle) {
  char *event = NULL;
  batches_error *err = NULL;
  batches_status status =
      batches_webhook_verify(body, length, signature, secret, &event, &err);
  if (want == BATCHES_OK) {
    expect_ok(what, status, err);
    CHECK(strcmp(event, body) == 0, "%s: the event is not the body: %s", what, event);
    CHECK(strstr(event, needle) != NULL, "%s: %s", what, event);
    printf("  %s -> verified\n", what);
    batches_string_free(event);
  } else {
    expect_error(what, status, err, event, want, 0, needle);
  }
}

static void webhook_checks(void) {
  size_t length = strlen(DELIVERY);
  verify_case("right signature", DELIVERY, length, SIGNATURE, "whsec-c-test", BATCHES_OK,
              "\"id\":\"bat-c-1\"");
  verify_case("wrong secret", DELIVERY, length, SIGNATURE, "whsec-other",
              BATCHES_SIGNATURE_ERROR, "does not match the body");
  char altered[sizeof DELIVERY];
  memcpy(altered, DELIVERY, sizeof DELIVERY);
  altered[length - 4] = 'X'; /* COMPLETED becomes COMPLETEX */
  verify_case("altered body", altered, length, SIGNATURE, "whsec-c-test",
              BATCHES_SIGNATURE_ERROR, "does not match the body");
  verify_case("missing header", DELIVERY, length, NULL, "whsec-c-test",
              BATCHES_SIGNATURE_ERROR, "no LC-Signature header");
  verify_case("malformed header", DELIVERY, length, "sha256=5e42", "whsec-c-test",
              BATCHES_SIGNATURE_ERROR, "expected sha256= and 64 hex digits");
  verify_case("no secret", DELIVERY, length, SIGNATURE, NULL, BATCHES_INVALID_ARGUMENT,
              "`secret` is NULL");
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s SOURCE_DIRECTORY_ID BATCHES_AT_START FILES_IN_DIRECTORY\n",
            argv[0]);
    return 2;
  }
  const char *directory = argv[1];
  int at_start = atoi(argv[2]);
  int files = atoi(argv[3]);

  printf("batches library %s\n", batches_version());

  batches_client *client = NULL;
  batches_error *err = NULL;
  expect_ok("batches_client_new from the environment", batches_client_new(NULL, &client, &err),
            err);

  printf("list\n");
  CHECK(list_paged(client) == at_start, "paged listing count");
  CHECK(list_iterated(client) == at_start, "iterated listing count");

  printf("create, wait, get with expand\n");
  char *id = create(client, directory);
  char *batch = NULL;
  expect_ok("batches_wait",
            batches_wait(client, id, "{\"interval_ms\": 20, \"timeout_ms\": 60000}", &batch, &err),
            err);
  CHECK(strstr(batch, "\"status\":\"COMPLETED\"") != NULL, "waited: %s", batch);
  batches_string_free(batch);
  expect_ok("batches_get", batches_get(client, id, "{\"expand\": [\"results\"]}", &batch, &err),
            err);
  CHECK(count(batch, "\"source_directory_file_id\":") == files, "results: %s", batch);
  printf("  %s completed with %d results\n", id, files);
  batches_string_free(batch);

  printf("one client, four threads\n");
  pthread_t threads[4];
  struct worker workers[4];
  for (int i = 0; i < 4; i++) {
    workers[i] = (struct worker){client, id, 0};
    CHECK(pthread_create(&threads[i], NULL, get_repeatedly, &workers[i]) == 0, "thread");
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    CHECK(workers[i].failures == 0, "thread %d had %d failed gets", i, workers[i].failures);
  }

  printf("cancel\n");
  char *second = create(client, directory);
  expect_ok("batches_cancel", batches_cancel(client, second, &batch, &err), err);
  CHECK(strstr(batch, second) != NULL, "cancelled: %s", batch);
  batches_string_free(batch);
  expect_ok("batches_wait after cancel",
            batches_wait(client, second, "{\"interval_ms\": 20, \"timeout_ms\": 60000}", &batch,
                         &err),
            err);
  CHECK(strstr(batch, "\"status\":\"CANCELLED\"") != NULL, "after cancel: %s", batch);
  printf("  %s cancelled\n", second);
  batches_string_free(batch);
  CHECK(list_iterated(client) == at_start + 2, "listing after two creates");

  printf("error paths\n");
  error_paths(client);

  printf("webhook signatures\n");
  webhook_checks();

  free(id);
  free(second);
  batches_client_free(client);
  if (failures > 0) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
