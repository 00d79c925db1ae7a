"""pty_session.py — drives `dpl repl` in a real pseudo-terminal, as a user at
a keyboard would: prompt, cursor-left editing, tab completion, colour,
Ctrl-C, Ctrl-D, and history that is still there after a restart.

Called by run_repl.py; run(dpl, here) returns the number of failures.
"""
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import tempfile
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
LEFT, UP, CTRL_C, CTRL_D = b"\x1b[D", b"\x1b[A", b"\x03", b"\x04"


class Term:
    """A child process on a pty, with expect-style reading."""

    def __init__(self, argv, env, cwd):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 1000, 0, 0))
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.raw = b""   # everything the terminal showed
        self.seen = 0    # how much of raw expect() has consumed

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return None
        if not data:
            return None
        self.raw += data
        return True

    def expect(self, pattern, timeout=10):
        """Waits until pattern (bytes regex) shows up in the plain text (ANSI
        escapes and CRs removed) after the last match; returns that text."""
        end = time.time() + timeout
        while True:
            plain = ANSI.sub(b"", self.raw[self.seen:]).replace(b"\r", b"")
            m = re.search(pattern, plain)
            if m:
                # consume through the match in raw terms: find a raw prefix whose plain form covers it
                cut = len(self.raw)
                for i in range(self.seen, len(self.raw) + 1):
                    if len(ANSI.sub(b"", self.raw[self.seen:i]).replace(b"\r", b"")) >= m.end():
                        cut = i
                        break
                self.seen = cut
                return plain[: m.end()]
            left = end - time.time()
            if left <= 0 or self._read(left) is None:
                raise AssertionError("timed out waiting for %r; the terminal shows:\n%s"
                                     % (pattern, plain.decode(errors="replace")[-1500:]))

    def send(self, data):
        # let libedit reach its raw-mode read before typing, as a person would
        time.sleep(0.15)
        os.write(self.fd, data)

    def quit_with_ctrl_d(self):
        """Ends the session with Ctrl-D; it must exit 0."""
        self.send(CTRL_D)
        status = self.wait()
        assert status == 0, "exit status %d after Ctrl-D" % status

    def wait(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                # what it wrote last may still wait in the terminal: read
                # it all (EIO once it is empty); without this the last
                # line was sometimes missing from raw (CI, once)
                while self._read(0.5):
                    pass
                return os.waitstatus_to_exitcode(status)
            self._read(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        raise AssertionError("dpl repl did not exit")


def send_first_record(t, d):
    """Pastes the first record of fipe.ndjson and waits for its entity."""
    with open(os.path.join(d, "fipe.ndjson"), "rb") as f:
        record = f.readline().strip()
    t.send(record + b"\r")
    t.expect(rb'"entity": "fipe"')
    t.expect(rb"dpl> ")


def first_session(dpl, d, env):
    t = Term([dpl, "repl", "fipe.dpl"], env, d)
    t.expect(rb"loaded fipe\.dpl")
    t.expect(rb"dpl> ")
    send_first_record(t, d)
    # type `valr * 2`, move left five times, insert the missing `o`
    t.send(b"valr * 2" + LEFT * 5 + b"o\r")
    t.expect(rb"64301\.0\n")
    t.expect(rb"dpl> ")
    # tab completion: a function name, then a field path seen in the record
    t.send(b"upp\t")
    t.send(b"(codigoFipeT\t")
    t.send(b")\r")
    t.expect(rb'"0053406"\n')
    t.expect(rb"dpl> ")
    # a broken rule: diagnostic with a caret under the mistake, in colour
    mark = len(t.raw)
    t.send(b"requirement { lenn(data.nome) > 0 }\r")
    shown = t.expect(rb"did you mean `len`\?")
    assert re.search(rb"\n *\| +\^\^\^\^", shown), "no caret line under `lenn`:\n%s" % shown.decode()
    assert b"\x1b[" in t.raw[mark:], "diagnostics on a terminal should be coloured"
    t.expect(rb"dpl> ")
    # Ctrl-C abandons a half-typed statement and keeps the session
    t.send(b"add {\r")
    t.expect(rb"\.\.\.> ")
    t.send(CTRL_C)
    t.expect(rb"\^C\ndpl> ")
    t.send(b"valor\r")
    t.expect(rb"32150\.5\n")
    t.expect(rb"dpl> ")
    t.quit_with_ctrl_d()


def second_session(dpl, d, env):
    hist = env["DPL_HISTORY"]
    assert os.path.exists(hist) and os.path.getsize(hist) > 0, "no history file written at %s" % hist
    t = Term([dpl, "repl"], env, d)
    t.expect(rb"dpl> ")
    # history, newest first: `valor`, `add {`, then the broken requirement
    t.send(UP * 3 + b"\r")
    t.expect(rb"did you mean `len`\?")
    t.expect(rb"dpl> ")
    t.send(b":quit\r")
    status = t.wait()
    assert status == 0, "exit status %d after :quit" % status


RECORD_PT = '{"data":{"marca":"Citro\u00ebn","pre\u00e7o":89900,"nome":"C3"},"metadata":{"source":"fipe"}}'


def unicode_session(dpl, d, env, locale):
    """What is typed or pasted keeps every non-ASCII character, whatever the
    locale the REPL was started in (libedit decodes input in LC_CTYPE)."""
    env = {k: v for k, v in env.items() if not k.startswith("LC_") and k != "LANG"}
    env.update(locale)
    t = Term([dpl, "repl"], env, d)
    t.expect(rb"dpl> ")
    t.send(RECORD_PT.encode() + b"\r")
    t.expect(rb"dpl> ")
    t.send(b"marca\r")
    t.expect('"Citro\u00ebn"\n'.encode())
    t.expect(rb"dpl> ")
    t.send('data."pre\u00e7o" / 100\r'.encode())
    t.expect(rb"899\.0\n")
    t.expect(rb"dpl> ")
    # editing across a two-byte character: the cursor moves by characters
    t.send('concat(marca, "\u00e9")'.encode() + LEFT * 3 + b"x\r")
    t.expect('"Citro\u00ebnx\u00e9"\n'.encode())
    t.expect(rb"dpl> ")
    t.quit_with_ctrl_d()


def editing_session(dpl, d, env):
    """File names complete with their directory part, a command completes
    with a space after it, a multi-line entry is one history item, and Ctrl-D
    inside an unfinished entry puts its error on a line of its own."""
    os.makedirs(os.path.join(d, "examples"), exist_ok=True)
    os.makedirs(os.path.join(d, "parser"), exist_ok=True)  # the wrong candidate: p in the current directory
    shutil.copy(os.path.join(d, "fipe.ndjson"), os.path.join(d, "examples", "pagamentos.ndjson"))
    t = Term([dpl, "repl", "fipe.dpl"], env, d)
    t.expect(rb"dpl> ")
    t.send(b":open examples/p\t")
    t.send(b"\r")
    t.expect(rb"opened examples/pagamentos\.ndjson: 5 records")
    t.expect(rb"dpl> ")
    t.send(b":ne\t")
    t.send(b"reject\r")  # only works if completion put a space after :next
    t.expect(rb"record 2/5")
    t.expect(rb"dpl> ")
    t.send(b":op\t")
    t.send(b"examples/\t")
    t.send(b"\r")
    t.expect(rb"opened examples/pagamentos\.ndjson")
    t.expect(rb"dpl> ")
    # a statement over three lines, then :undo, then Up Up brings it back whole
    t.send(b"add {\r")
    t.expect(rb"\.\.\.> ")
    t.send(b"    valor * 2 -> dobro\r")
    t.expect(rb"\.\.\.> ")
    t.send(b"}\r")
    t.expect(rb"added add \(1 item\)")
    t.expect(rb"dpl> ")
    t.send(b":undo\r")
    t.expect(rb"removed the last statement")
    t.expect(rb"dpl> ")
    t.send(UP * 2 + b"\r")
    t.expect(rb"added add \(1 item\)")
    t.expect(rb"dpl> ")
    # Ctrl-D inside an unfinished entry: the error is not glued to `...> `
    t.send(b"requirement {\r")
    t.expect(rb"\.\.\.> ")
    mark = len(t.raw)
    t.send(CTRL_D)
    shown = t.expect(rb"error\[E202\]")
    after = ANSI.sub(b"", t.raw[mark:]).replace(b"\r", b"")
    assert re.match(rb"(\^D)?\n(<session>|fipe\.dpl):\d+:\d+: error\[E202\]", after), \
        "the error should start a line of its own:\n%r" % after[:200]
    assert t.wait() == 0
    tail = ANSI.sub(b"", t.raw).replace(b"\r", b"")
    assert tail.endswith(b"(not added)\n"), "no blank line after it: %r" % tail[-80:]
    with open(env["DPL_HISTORY"], "rb") as f:
        hist = f.read()
    # libedit stores an entry per line, vis(3)-encoded: the newlines of the
    # entry are \\012 inside one line
    assert b"add\\040{\\012\\040\\040\\040\\040valor\\040*\\0402\\040->\\040dobro\\012}\n" in hist, hist


def navigate_session(dpl, d, env):
    """:goto, :next reject, where a reject's rule comes from after a typed
    statement, and the hint for a path the record does not have — on a
    terminal, as a user meets them."""
    t = Term([dpl, "repl", "fipe.dpl"], env, d)
    t.expect(rb"dpl> ")
    t.send(b":open fipe.ndjson\r")
    t.expect(rb"opened fipe\.ndjson: 5 records")
    t.expect(rb"dpl> ")
    t.send(b"requirement { ano > 2015 }\r")
    t.expect(rb"added requirement")
    t.expect(rb"dpl> ")
    t.send(b":goto 1\r")
    t.expect(rb"record 1/5")
    t.expect(rb"--> <session>:27:15")  # the typed rule
    t.expect(rb"dpl> ")
    t.send(b":next reject\r")
    t.expect(rb"record 2/5")
    t.expect(rb"--> fipe\.dpl:14:5")  # a rule of the file keeps the file's name
    t.expect(rb"dpl> ")
    t.send(b"data.nme\r")
    t.expect(rb"missing\n +`data\.nme` is not in the record; did you mean `data\.nome`\?")
    t.expect(rb"dpl> ")
    t.send(b":quit\r")
    assert t.wait() == 0


def without_libedit_session(dpl, d, env):
    """A terminal where libedit cannot be loaded (a broken libedit.so.2 found
    first): the REPL says line editing is off and still works, with prompts
    and plain line reads."""
    libdir = os.path.join(d, "broken-lib")
    os.makedirs(libdir, exist_ok=True)
    with open(os.path.join(libdir, "libedit.so.2"), "w") as f:
        f.write("not a shared library\n")
    env = dict(env, LD_LIBRARY_PATH=libdir)
    t = Term([dpl, "repl", "fipe.dpl"], env, d)
    t.expect(rb"line editing is off: .*libedit\.so\.2")
    t.expect(rb"dpl> ")
    t.send(b"valor\r")
    t.expect(rb"no record yet")
    t.expect(rb"dpl> ")
    send_first_record(t, d)
    t.send(b"valor * 2\r")
    t.expect(rb"64301\.0\n")
    t.expect(rb"dpl> ")
    t.quit_with_ctrl_d()


def run(dpl, here):
    dpl = os.path.abspath(dpl)  # the child runs in a scratch directory
    d = tempfile.mkdtemp(prefix="dpl-repl-pty-")
    try:
        for f in ("fipe.dpl", "fipe.ndjson"):
            shutil.copy(os.path.join(here, f), d)
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "HOME")}
        env.update(TERM="xterm", DPL_HISTORY=os.path.join(d, "history"), HOME=d)
        steps = (("pty first session", first_session), ("pty restart keeps history", second_session),
                 ("pty unicode under C.UTF-8", lambda a, b, c: unicode_session(a, b, c, {"LC_ALL": "C.UTF-8"})),
                 ("pty unicode under LC_ALL=C", lambda a, b, c: unicode_session(a, b, c, {"LC_ALL": "C"})),
                 ("pty unicode without a locale", lambda a, b, c: unicode_session(a, b, c, {})),
                 ("pty completion, multi-line history, Ctrl-D", editing_session),
                 ("pty :goto, :next reject, rule origin, missing-path hint", navigate_session),
                 ("pty without libedit: plain lines, prompts", without_libedit_session))
        for name, step in steps:
            try:
                step(dpl, d, env)
                print("ok   %s" % name)
            except (AssertionError, OSError) as e:
                print("FAIL %s: %s" % (name, e))
                return 1
        return 0
    finally:
        shutil.rmtree(d, ignore_errors=True)
