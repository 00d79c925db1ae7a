"""wrap.py — the --wrap option of the script test runners: run dpl and dplc
under another program (valgrind, strace, ...) without touching the tests.

setup(args) replaces args.dpl / args.dplc with small wrapper scripts that
exec `WRAP... REAL "$@"`.  DPL_VALGRIND=1 in the environment means
--wrap "valgrind --error-exitcode=99 --leak-check=full
--errors-for-leak-kinds=definite".  Under valgrind every process logs to its
own file; problems() lists the logs that report an error or a definite leak,
so a finding fails the run even where a test does not look at the exit
status.
"""
import glob
import os
import re
import shlex
import tempfile

VALGRIND = "valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"


def add_option(ap):
    ap.add_argument("--wrap", default=VALGRIND if os.environ.get("DPL_VALGRIND") == "1" else "",
                    help="run dpl/dplc under this command, e.g. '%s' (also: DPL_VALGRIND=1)" % VALGRIND)


class Wrap:
    def __init__(self, words):
        self.words = words
        self.dir = tempfile.mkdtemp(prefix="dpl-wrap.") if words else None

    def script(self, real):
        if not self.words or not real:
            return real
        words = list(self.words)
        if os.path.basename(words[0]) == "valgrind":
            words.insert(1, "--log-file=" + os.path.join(self.dir, "vg.%p.log"))
        path = os.path.join(self.dir, os.path.basename(real))
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (" ".join(shlex.quote(w) for w in words),
                                                     shlex.quote(os.path.abspath(real))))
        os.chmod(path, 0o755)
        return path

    def problems(self):
        """One line per valgrind log with errors or definite leaks."""
        out = []
        for log in sorted(glob.glob(os.path.join(self.dir or "/nonexistent", "vg.*.log"))):
            text = open(log, errors="replace").read()
            m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            if m and int(m.group(1)) > 0:
                cmd = re.search(r"Command: (.*)", text)
                out.append("%s: %s errors in `%s`" % (log, m.group(1), cmd.group(1) if cmd else "?"))
        return out


def setup(args):
    """Points args.dpl / args.dplc at wrappers; returns the Wrap."""
    w = Wrap(shlex.split(args.wrap or ""))
    for name in ("dpl", "dplc"):
        if getattr(args, name, None):
            setattr(args, name, w.script(getattr(args, name)))
    return w
