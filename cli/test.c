/* test.c — `dpl test [PATH...]` (spec §14): parses the options (opts/table.c)
 * and hands over to the test runner (testrun/testrun.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "testrun/testrun.h"

int dpl_cmd_test(int argc, char **argv)
{
    const DplCmd *cmd = dpl_opts_find_cmd(&dpl_opts_dpl, "test");
    DplTestOptions o = {.coverage_min = -1};
    const char **paths = dpl_calloc((size_t)argc + 1, sizeof *paths);
    DplColorMode color = DPL_COLOR_AUTO;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    int st = -1;
    for (int id; st < 0 && (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        const char *v = p.value;
        switch (id) {
        case DPL_OPTS_ARG: paths[o.npaths++] = v; break;
        case DPL_OPTS_ERROR:
        case DPL_OPT_HELP: st = dpl_cli_help_or_error(&p, id); break;
        case DPL_OPT_PATTERN: o.pattern = v; break;
        case DPL_OPT_JUNIT: o.junit_path = v; break;
        case DPL_OPT_COVERAGE: o.coverage = true; break;
        case DPL_OPT_UPDATE: o.update = true; break;
        case DPL_OPT_VERBOSE: o.verbose = true; break;
        case DPL_OPT_COLOR:
            color = strcmp(v, "always") == 0 ? DPL_COLOR_ALWAYS : strcmp(v, "never") == 0 ? DPL_COLOR_NEVER
                                                                                          : DPL_COLOR_AUTO;
            break;
        case DPL_OPT_COVERAGE_MIN: {
            char *end;
            double n = strtod(v, &end);
            if (!*v || *end || !(n >= 0 && n <= 100))
                st = dpl_opts_usage_error(cmd, "--coverage-min needs a percentage from 0 to 100, not `%s`", v);
            o.coverage_min = n;
            o.coverage = true;
            break;
        }
        }
    }
    dpl_opts_end(&p); /* again after dpl_cli_help_or_error: it only frees the message */
    if (st < 0) {
        o.paths = paths;
        o.color = dpl_cli_use_color(color, stdout);
        st = dpl_test_main(&o, stdout, stderr);
    }
    dpl_free(paths);
    return st;
}
