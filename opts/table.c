/* table.c — every subcommand and option of `dpl` and `dplc`, once.  Help,
 * parsing, completion scripts and the man-page test all read these tables:
 * a new option is one line here plus its case in the subcommand. */
#include "opts/opts.h"

#define END {0, NULL, 0, NULL, DPL_COMPLETE_NONE, NULL, false}

/* ---- dpl ------------------------------------------------------------------ */

static const DplOpt run_opts[] = {
    {DPL_OPT_OUTPUT, "--output", 0, "PATH", DPL_COMPLETE_FILE,
     "write entities there (default: stdout; `-`: stdout; PATH.gz: gzip; kafka://, dir://)", false},
    {DPL_OPT_REJECTS, "--rejects", 0, "PATH", DPL_COMPLETE_FILE,
     "write rejected records there (default: stderr; `-`: stdout; kafka://, dir://)", false},
    {DPL_OPT_SKIPPED, "--skipped", 0, "PATH", DPL_COMPLETE_FILE,
     "write records of other sources there (as read; `-`: stdout; kafka://, dir://)", false},
    {DPL_OPT_STATS, "--stats", 0, NULL, DPL_COMPLETE_NONE, "print one JSON line of counts on stderr at the end",
     false},
    {DPL_OPT_STATS_INTERVAL, "--stats-interval", 0, "S", DPL_COMPLETE_NONE,
     "also every S seconds (implies --stats; Kafka input: with consumer lag)", false},
    {DPL_OPT_KAFKA_PROPERTY, "--kafka-property", 'X', "KEY=VALUE", DPL_COMPLETE_NONE,
     "a librdkafka property for every Kafka client (repeatable)", false},
    {DPL_OPT_KAFKA_CONFIG, "--kafka-config", 0, "FILE", DPL_COMPLETE_FILE,
     "KEY=VALUE lines (# comments) for every Kafka client", false},
    {DPL_OPT_RAW, "--raw", 0, NULL, DPL_COMPLETE_NONE,
     "plain NDJSON: wrap each value as {\"data\":V,\"metadata\":{\"source\":NAME}}", false},
    {DPL_OPT_SOURCE, "--source", 0, "NAME", DPL_COMPLETE_NONE,
     "the source NAME for --raw (default: first name of `sources`)", false},
    {DPL_OPT_MAX_RECORD_BYTES, "--max-record-bytes", 0, "N", DPL_COMPLETE_NONE,
     "reject longer lines as limit_exceeded (default 16M; k/m/g suffixes)", false},
    {DPL_OPT_FAIL_ON_REJECT, "--fail-on-reject", 0, NULL, DPL_COMPLETE_NONE, "exit 3 when any record was rejected",
     false},
    {DPL_OPT_JOBS, "--jobs", 'j', "N", DPL_COMPLETE_NONE,
     "worker threads (default 1); output is the same, in input order", false},
    /* auto (default) uses the fast engine where the program allows it; tree
     * always runs the evaluator.  Both print the same bytes; tests compare. */
    {DPL_OPT_ENGINE, "--engine", 0, "auto|tree", DPL_COMPLETE_CHOICE, "the evaluation engine (for tests)", true},
    END,
};

static const DplOpt no_opts[] = {END};

static const DplOpt test_opts[] = {
    {DPL_OPT_PATTERN, "-k", 'k', "PATTERN", DPL_COMPLETE_NONE, "only the tests whose name contains PATTERN", false},
    {DPL_OPT_JUNIT, "--junit", 0, "FILE", DPL_COMPLETE_FILE, "also write a JUnit XML report to FILE", false},
    {DPL_OPT_COVERAGE, "--coverage", 0, NULL, DPL_COMPLETE_NONE,
     "report which lines, conditions and requirements the tests exercised", false},
    {DPL_OPT_COVERAGE_MIN, "--coverage-min", 0, "N", DPL_COMPLETE_NONE,
     "exit 1 when coverage is below N percent (implies --coverage)", false},
    {DPL_OPT_UPDATE, "--update", 0, NULL, DPL_COMPLETE_NONE, "rewrite failing expectations from the actual output",
     false},
    {DPL_OPT_COLOR, "--color", 0, "auto|always|never", DPL_COMPLETE_CHOICE,
     "colour in the report (default auto; honours NO_COLOR)", false},
    {DPL_OPT_VERBOSE, "--verbose", 'v', NULL, DPL_COMPLETE_NONE,
     "the coverage report lists every line, not only those with something missed", false},
    END,
};

static const DplCmd dpl_cmds[] = {
    {"dpl", "run", "PROGRAM [INPUT...]", DPL_COMPLETE_DPL, DPL_COMPLETE_NDJSON,
     "apply a program to NDJSON records",
     "Applies PROGRAM to every NDJSON record of the INPUT files (or stdin, or `-`);\n"
     "gzip input is read as such.  Entities go to stdout, one JSON line each.\n"
     "INPUT kafka://HOST:PORT[,...]/TOPIC[,...]?group=G consumes a Kafka consumer group;\n"
     "an output kafka://HOST:PORT[,...]/TOPIC produces to Kafka, dir://DIR[?max_bytes=N\n"
     "&max_seconds=S&gzip=1] writes data-lake batches (docs/kafka.md).",
     "exit status: 0 done, 1 I/O failure, 2 usage or program errors, 3 rejects with --fail-on-reject",
     run_opts},
    {"dpl", "repl", "[PROGRAM]", DPL_COMPLETE_DPL, DPL_COMPLETE_NONE, "try rules interactively",
     "Try DPL rules interactively: type statements, paste JSON records, evaluate\n"
     "expressions against the last record.  :help inside lists the commands.\n"
     "History: $DPL_HISTORY, or ~/.dpl_history.",
     NULL, no_opts},
    {"dpl", "test", "[PATH...]", DPL_COMPLETE_TEST, DPL_COMPLETE_TEST, "run the rule tests (*.dpltest) under PATH",
     "Runs the rule tests of the *.dpltest files under each PATH (default: .):\n"
     "one line per test, a diff for each failure, a summary.  See docs/testing.md.",
     "exit status: 0 every test passed, 1 a test failed (or coverage below --coverage-min),\n"
     "2 usage error, unreadable or malformed test file, program with errors",
     test_opts},
    {"dpl", "completion", "SHELL", DPL_COMPLETE_SHELL, DPL_COMPLETE_NONE,
     "print the bash, zsh or fish completion script",
     "Prints the completion script of dpl for SHELL (bash, zsh or fish), e.g.\n"
     "    source <(dpl completion bash)\n"
     "`meson install` installs all three where the shells look for them.",
     NULL, no_opts},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const DplProgramInfo dpl_opts_dpl = {"dpl", "Applies DPL programs to streams of JSON records.", dpl_cmds};

/* ---- dplc ----------------------------------------------------------------- */

static const DplOpt check_opts[] = {
    {DPL_OPT_FORMAT, "--format", 0, "human|json", DPL_COMPLETE_CHOICE,
     "human diagnostics on stderr (default), or one JSON object per file on stdout", false},
    {DPL_OPT_COLOR, "--color", 0, "auto|always|never", DPL_COMPLETE_CHOICE,
     "colour in human diagnostics (default auto; honours NO_COLOR)", false},
    {DPL_OPT_WARNINGS, "-W", 'W', "error", DPL_COMPLETE_CHOICE, "turn warnings into errors", false},
    {DPL_OPT_FIX, "--fix", 0, NULL, DPL_COMPLETE_NONE,
     "apply the certain fixes (did-you-mean names, quotes, `=` in conditions) to the files, then report the rest",
     false},
    {DPL_OPT_SAMPLE, "--sample", 0, "FILE", DPL_COMPLETE_NDJSON,
     "warn (W405) about paths the program reads that no record of FILE has", false},
    {DPL_OPT_RAW, "--raw", 0, NULL, DPL_COMPLETE_NONE, "the --sample records are plain values, not envelopes",
     false},
    END,
};

static const DplOpt fmt_opts[] = {
    {DPL_OPT_CHECK, "--check", 0, NULL, DPL_COMPLETE_NONE,
     "print a unified diff for each file that is not formatted; exit 1 if any", false},
    {DPL_OPT_WRITE, "--write", 'w', NULL, DPL_COMPLETE_NONE, "rewrite files that are not formatted, in place",
     false},
    END,
};

static const DplOpt explain_opts[] = {
    {DPL_OPT_ALL, "--all", 0, NULL, DPL_COMPLETE_NONE, "every code (this is docs/errors.md)", false},
    END,
};

static const DplOpt schema_opts[] = {
    {DPL_OPT_INPUT, "--input", 0, NULL, DPL_COMPLETE_NONE, "the schema of the input envelopes PROGRAM accepts",
     false},
    {DPL_OPT_RAW, "--raw", 0, NULL, DPL_COMPLETE_NONE,
     "with --input: of the plain values `dpl run --raw` accepts", false},
    END,
};

static const DplOpt compat_opts[] = {
    {DPL_OPT_FORMAT, "--format", 0, "human|json", DPL_COMPLETE_CHOICE,
     "human diagnostics on stderr (default), or one JSON object per program (OLD, NEW) on stdout", false},
    {DPL_OPT_COLOR, "--color", 0, "auto|always|never", DPL_COMPLETE_CHOICE,
     "colour in human diagnostics (default auto; honours NO_COLOR)", false},
    END,
};

static const DplCmd dplc_cmds[] = {
    {"dplc", "check", "FILE...", DPL_COMPLETE_DPL, DPL_COMPLETE_DPL, "report every problem of programs",
     "Checks each program and reports every problem with its code and span.",
     "exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or I/O error", check_opts},
    {"dplc", "fmt", "FILE...", DPL_COMPLETE_DPL, DPL_COMPLETE_DPL, "print, check or rewrite the canonical layout",
     "Prints the canonical layout of each FILE (- is stdin) to stdout.",
     "exit status: 0 ok, 1 syntax errors or unformatted files (--check), 2 usage or I/O error", fmt_opts},
    {"dplc", "ast", "FILE", DPL_COMPLETE_DPL, DPL_COMPLETE_NONE, "print the syntax tree (for debugging)",
     "Prints the syntax tree of FILE, for debugging the toolchain.", NULL, no_opts},
    {"dplc", "explain", "CODE", DPL_COMPLETE_CODE, DPL_COMPLETE_NONE,
     "explain a diagnostic or reject code",
     "Explains a diagnostic code (E303, w401) or a reject code of `dpl run`\n"
     "(cast_failed, missing_mandatory, ...), with an example.",
     NULL, explain_opts},
    {"dplc", "schema", "PROGRAM", DPL_COMPLETE_DPL, DPL_COMPLETE_NONE,
     "print the JSON Schema of the records a program emits (or accepts)",
     "Prints the JSON Schema (draft 2020-12) of the entity records PROGRAM emits:\n"
     "types from casts, literals and function results, `required` where every\n"
     "record has the attribute (docs/schema.md).",
     "exit status: 0 printed, 2 usage, I/O or program errors", schema_opts},
    {"dplc", "compat", "OLD NEW", DPL_COMPLETE_DPL, DPL_COMPLETE_DPL,
     "list the changes from OLD to NEW that break consumers",
     "Compares two versions of a program and reports every breaking change\n"
     "(attribute removed or made conditional, type narrowed or changed, entity\n"
     "name or keys changed, source removed) with its span (docs/schema.md).",
     "exit status: 0 compatible, 1 breaking changes, 2 usage, I/O or program errors", compat_opts},
    {"dplc", "completion", "SHELL", DPL_COMPLETE_SHELL, DPL_COMPLETE_NONE,
     "print the bash, zsh or fish completion script",
     "Prints the completion script of dplc for SHELL (bash, zsh or fish), e.g.\n"
     "    source <(dplc completion bash)\n"
     "`meson install` installs all three where the shells look for them.",
     NULL, no_opts},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const DplProgramInfo dpl_opts_dplc = {"dplc", "Checks, formats and explains DPL programs.", dplc_cmds};
