/* fuzz_testfile.c — libFuzzer target: arbitrary bytes as a `*.dpltest` file
 * go through the test-file parser (testrun/); the bytes, cut in two at the
 * first NUL, also go through the unified diff, whose output must be empty
 * exactly when the two texts are equal. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testrun/testrun.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        dpl_util_init();
        init = true;
    }
    const char *text = (const char *)data;
    char *msg = NULL;
    size_t ntests = 0;
    if (dpl_test_parse_check("f.dpltest", text, size, &msg, &ntests)) {
        if (ntests == 0) {
            fprintf(stderr, "fuzz_testfile: a file without tests was accepted\n");
            abort();
        }
    } else if (!msg || strncmp(msg, "f.dpltest:", 10) != 0) {
        fprintf(stderr, "fuzz_testfile: an error without a position: %s\n", msg ? msg : "(null)");
        abort();
    }
    dpl_free(msg);

    const char *nul = memchr(text, '\0', size);
    char *a = dpl_strndup(text, nul ? (size_t)(nul - text) : size);
    char *b = nul ? dpl_strndup(nul + 1, size - (size_t)(nul - text) - 1) : dpl_strdup(a);
    DplBuf out = {0};
    dpl_test_diff(&out, a, b, "a", "b", 3, false);
    if ((out.len == 0) != (strcmp(a, b) == 0)) {
        fprintf(stderr, "fuzz_testfile: diff of %s texts is %s\n", strcmp(a, b) ? "different" : "equal",
                out.len ? "not empty" : "empty");
        abort();
    }
    dpl_buf_free(&out);
    dpl_free(a);
    dpl_free(b);
    return 0;
}
