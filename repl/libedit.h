/* libedit.h — libedit, opened when a REPL on a terminal first needs it
 * (libedit.c).
 *
 * `dpl` is not linked with libedit (and its libtinfo, libbsd, libmd): only
 * `dpl repl` on a terminal uses it, and loading it cost every other `dpl`
 * start too (bench/README.md, "Ninth pass").  edit.c includes this header
 * instead of <editline/readline.h>: each function and variable of libedit's
 * readline interface it uses is a pointer in repl_libedit, filled by
 * repl_libedit_load, and a macro of the same name goes through it, so the
 * code reads as libedit's.  The pointers have the types of libedit's own
 * declarations (__typeof__), so the compiler checks every use as before. */
#ifndef DPL_REPL_LIBEDIT_H
#define DPL_REPL_LIBEDIT_H

#include <stdbool.h>
#include <stdio.h>

#include <editline/readline.h>

/* The shared library opened: libedit2 in Debian 12. */
#define REPL_LIBEDIT_SONAME "libedit.so.2"

/* Every function and variable of libedit that edit.c uses. */
#define REPL_LIBEDIT_SYMBOLS(X)                                                                                        \
    X(add_history)                                                                                                     \
    X(history_base)                                                                                                    \
    X(history_get)                                                                                                     \
    X(history_length)                                                                                                  \
    X(read_history)                                                                                                    \
    X(readline)                                                                                                        \
    X(rl_attempted_completion_function)                                                                                \
    X(rl_attempted_completion_over)                                                                                    \
    X(rl_basic_word_break_characters)                                                                                  \
    X(rl_completer_word_break_characters)                                                                              \
    X(rl_completion_append_character)                                                                                  \
    X(rl_completion_matches)                                                                                           \
    X(rl_line_buffer)                                                                                                  \
    X(rl_readline_name)                                                                                                \
    X(stifle_history)                                                                                                  \
    X(using_history)                                                                                                   \
    X(write_history)

#define REPL_LIBEDIT_FIELD(name) __typeof__(name) *name;
typedef struct {
    REPL_LIBEDIT_SYMBOLS(REPL_LIBEDIT_FIELD)
} ReplLibedit;
#undef REPL_LIBEDIT_FIELD

/* Filled once by repl_libedit_load; read-only afterwards. */
extern ReplLibedit repl_libedit;

/* Opens REPL_LIBEDIT_SONAME and finds every symbol, once per process.
 * False with *err (the caller's to dpl_free) saying which library or
 * symbol is missing; nothing of libedit may be used then. */
bool repl_libedit_load(char **err);

/* From here on, each libedit name goes through repl_libedit: a function
 * through its pointer, a variable through its address (except in
 * libedit.c, which names the fields themselves). */
#ifndef REPL_LIBEDIT_LOADER
#define add_history (repl_libedit.add_history)
#define history_base (*repl_libedit.history_base)
#define history_get (repl_libedit.history_get)
#define history_length (*repl_libedit.history_length)
#define read_history (repl_libedit.read_history)
#define readline (repl_libedit.readline)
#define rl_attempted_completion_function (*repl_libedit.rl_attempted_completion_function)
#define rl_attempted_completion_over (*repl_libedit.rl_attempted_completion_over)
#define rl_basic_word_break_characters (*repl_libedit.rl_basic_word_break_characters)
#define rl_completer_word_break_characters (*repl_libedit.rl_completer_word_break_characters)
#define rl_completion_append_character (*repl_libedit.rl_completion_append_character)
#define rl_completion_matches (repl_libedit.rl_completion_matches)
#define rl_line_buffer (*repl_libedit.rl_line_buffer)
#define rl_readline_name (*repl_libedit.rl_readline_name)
#define stifle_history (repl_libedit.stifle_history)
#define using_history (repl_libedit.using_history)
#define write_history (repl_libedit.write_history)
#endif

#endif
