/* libedit.c — opening libedit on first use (libedit.h says why). */
#include <dlfcn.h>

#define REPL_LIBEDIT_LOADER
#include "repl/libedit.h"
#include "util/util.h"

ReplLibedit repl_libedit;

/* One REPL per process, on the main thread: no locking needed. */
static bool tried;
static char *load_error; /* the answer of the one attempt: NULL once loaded */

static void load(void)
{
    void *lib = dlopen(REPL_LIBEDIT_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        load_error = dpl_asprintf("line editing is off: %s", dlerror());
        return;
    }
    /* never closed: the history and completion state live in it */
#define REPL_LIBEDIT_FIND(name)                                                                                        \
    if (!(*(void **)&repl_libedit.name = dlsym(lib, #name))) {                                                         \
        load_error = dpl_asprintf("line editing is off: %s has no %s", REPL_LIBEDIT_SONAME, #name);                    \
        return;                                                                                                        \
    }
    REPL_LIBEDIT_SYMBOLS(REPL_LIBEDIT_FIND)
#undef REPL_LIBEDIT_FIND
}

bool repl_libedit_load(char **err)
{
    if (!tried) {
        tried = true;
        load();
    }
    if (load_error)
        *err = dpl_strdup(load_error);
    return !load_error;
}
