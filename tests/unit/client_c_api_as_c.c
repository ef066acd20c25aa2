/* Compiled with the C compiler (-std=c99 -pedantic-errors): proves that
 * policyd_client_c.h is valid C, and drives it from C. */
#include <stdlib.h>
#include <string.h>

#include "boxwarden/policyd_client_c.h"

/* Looks up `address`; returns the call's result and copies the verdict
 * word (or the error) into out. */
int bw_test_c_verdict(const char* socket_path, const char* address, char* out, size_t out_size) {
    char* create_error = NULL;
    const char* error = NULL;
    struct bw_verdict verdict;
    int ret;
    bw_client* client = bw_client_create(socket_path, 1000, &create_error);
    if (client == NULL) {
        strncpy(out, create_error, out_size - 1);
        out[out_size - 1] = '\0';
        free(create_error);
        return -2;
    }
    ret = bw_client_verdict(client, address, &verdict, &error);
    strncpy(out, ret < 0 ? error : verdict.verdict, out_size - 1);
    out[out_size - 1] = '\0';
    bw_client_destroy(&client);
    if (client != NULL) return -3;
    return ret;
}
