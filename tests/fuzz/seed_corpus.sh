#!/usr/bin/env bash
# seed_corpus.sh TARGET DIR — fills DIR with seed inputs for a fuzz target,
# taken at run time from the repository (examples/, tests/) and the shared
# conformance cases, so no large corpus is ever committed:
#   program      every .dpl file, one file each
#   record, scan, engine
#                every line of every .ndjson file, one file each (deduplicated)
#   testfile     every *.dpltest file, one file each
#   repl         every piped REPL session of tests/repl/sessions (*.in)
# plus the small committed tests/fuzz/seeds/TARGET.  (The dictionaries
# program.dict and record.dict are passed by run.sh.)
set -euo pipefail
target=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
conf=$root/../shared/conformance/cases
mkdir -p "$dir"
sources=("$root/examples" "$root/tests")
[ -d "$conf" ] && sources+=("$conf")

case $target in
program)
    find "${sources[@]}" -name '*.dpl' -size -64k -print0 |
        while IFS= read -r -d '' f; do
            cp "$f" "$dir/$(sha1sum <"$f" | cut -c1-16).dpl"
        done
    ;;
record|scan|engine)
    # one input line per file; names are content hashes, so duplicates merge
    find "${sources[@]}" -name '*.ndjson' -size -4M -print0 |
        xargs -0 cat | python3 -c '
import hashlib, os, sys
out = sys.argv[1]
for n, line in enumerate(sys.stdin.buffer):
    if n >= 5000:
        break
    line = line.rstrip(b"\n")
    if line.strip():
        with open(os.path.join(out, hashlib.sha1(line).hexdigest()[:16]), "wb") as f:
            f.write(line)
' "$dir"
    ;;
testfile)
    find "${sources[@]}" -name '*.dpltest' -size -64k -print0 |
        while IFS= read -r -d '' f; do
            cp "$f" "$dir/$(sha1sum <"$f" | cut -c1-16).dpltest"
        done
    ;;
repl)
    for f in "$root"/tests/repl/sessions/*.in; do
        cp "$f" "$dir/$(sha1sum <"$f" | cut -c1-16).in"
    done
    ;;
*)
    echo "seed_corpus.sh: unknown target '$target' (program, record, scan, testfile, engine, repl)" >&2
    exit 2
    ;;
esac
cp "$here/seeds/$target/"* "$dir/"
