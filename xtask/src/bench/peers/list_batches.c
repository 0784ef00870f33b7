/* The C ABI's iterator as a C program uses it, for `cargo xtask bench --peers`: every
 * batch of the listing, one JSON line each, exactly as the server sent it.
 *
 * usage: list_batches PAGE_SIZE [PARALLEL]    (key and base URL from the environment)
 *        list_batches --version                (the library's start-up, nothing listed) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batches.h"

static int fail(const char *what, batches_error *err) {
    fprintf(stderr, "%s: %s\n", what, err ? batches_error_message(err) : "?");
    batches_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        puts(batches_version());
        return 0;
    }
    if (argc < 2 || argc > 3) {
        fputs("usage: list_batches PAGE_SIZE [PARALLEL]\n", stderr);
        return 2;
    }
    char params[128];
    if (argc == 3) {
        snprintf(params, sizeof params, "{\"page_size\": %d, \"parallel\": %d}", atoi(argv[1]),
                 atoi(argv[2]));
    } else {
        snprintf(params, sizeof params, "{\"page_size\": %d}", atoi(argv[1]));
    }
    batches_client *client = NULL;
    batches_error *err = NULL;
    if (batches_client_new(NULL, &client, &err) != BATCHES_OK) {
        return fail("client", err);
    }
    batches_list_iter *it = NULL;
    if (batches_list_iter_new(client, params, &it, &err) != BATCHES_OK) {
        batches_client_free(client);
        return fail("iterator", err);
    }
    char *batch = NULL;
    int status = 0;
    while (batches_list_iter_next(it, &batch, &err) == BATCHES_OK) {
        if (batch == NULL) {
            break;
        }
        fputs(batch, stdout);
        fputc('\n', stdout);
        batches_string_free(batch);
    }
    if (err != NULL) {
        status = fail("listing", err);
    }
    batches_list_iter_free(it);
    batches_client_free(client);
    return status;
}
