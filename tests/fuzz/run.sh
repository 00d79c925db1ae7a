#!/usr/bin/env bash
# run.sh TARGET SECONDS — runs one libFuzzer target (program, record, scan,
# testfile, engine, repl) for SECONDS; `run.sh all SECONDS` runs each in turn.
# Builds the targets first if needed, in $DPL_FUZZ_BUILD (default:
# build-fuzz; clang, ASan+UBSan, the library instrumented for coverage too).
# The working corpus lives in $DPL_FUZZ_BUILD/corpus/TARGET: on first use it
# starts from the committed, minimised corpus tests/fuzz/corpus/TARGET, the
# seeds (tests/fuzz/seeds/TARGET) and seed_corpus.sh; crashing inputs are
# saved in $DPL_FUZZ_BUILD/crashes/ (copy one to tests/fuzz/regress/TARGET/
# to keep it as a regression test).
# Prints one line per target:
#   fuzz TARGET: cov A -> B, N executions, K crashes
# (A: coverage once the corpus was read, B: at the end) and exits 1 if any
# target crashed (or could not run).
#
# run.sh merge TARGET — minimises the working corpus together with the
# committed one back into tests/fuzz/corpus/TARGET (what a long run found
# that adds coverage); review and commit the result.
set -uo pipefail
usage() { echo "usage: tests/fuzz/run.sh TARGET|all SECONDS | tests/fuzz/run.sh merge TARGET" >&2; exit 2; }
[ $# -eq 2 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
build=${DPL_FUZZ_BUILD:-build-fuzz}
all=(program record scan testfile engine repl)
mode=run
if [ "$1" = merge ]; then
    mode=merge what=$2 secs=0
else
    what=$1 secs=$2
fi
targets=("${all[@]}")
[ "$what" = all ] || targets=("$what")
for t in "${targets[@]}"; do
    case " ${all[*]} " in *" $t "*) ;; *) echo "run.sh: unknown target '$t' (${all[*]})" >&2; exit 2 ;; esac
done

if [ ! -f "$build/build.ninja" ]; then
    setup_log=$(mktemp "${TMPDIR:-/tmp}/dpl-fuzz-setup.XXXXXX")
    CC=clang meson setup "$build" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
        -Db_lundef=false >"$setup_log" 2>&1 || { cat "$setup_log" >&2; rm -f "$setup_log"; exit 1; }
    rm -f "$setup_log"
fi
# only the fuzz targets: the rest of the tree need not build with clang
ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz_}" >"$build/fuzz-build.log" 2>&1 ||
    { cat "$build/fuzz-build.log" >&2; exit 1; }

mkdir -p "$build/crashes"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

# dict TARGET: the dictionary a target's inputs share.
dict() {
    case $1 in
    program) echo "$here/program.dict" ;;
    testfile|repl) echo "$here/program.dict" ;;   # DPL words around JSON
    *) echo "$here/record.dict" ;;
    esac
}

if [ "$mode" = merge ]; then
    t=$what
    committed=$here/corpus/$t
    mkdir -p "$committed"
    new=$(mktemp -d "${TMPDIR:-/tmp}/dpl-fuzz-merge.XXXXXX")
    "$build/tests/fuzz/fuzz_$t" -merge=1 -dict="$(dict "$t")" -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
        "$new" "$committed" "$build/corpus/$t" >"$build/merge-$t.log" 2>&1 ||
        { tail -20 "$build/merge-$t.log" >&2; rm -rf "$new"; exit 1; }
    rm -f "$committed"/*
    cp "$new"/* "$committed"/ 2>/dev/null
    rm -rf "$new"
    echo "merge $t: $(ls "$committed" | wc -l) inputs in tests/fuzz/corpus/$t"
    exit 0
fi

status=0
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    if [ ! -d "$corpus" ]; then
        "$here/seed_corpus.sh" "$t" "$corpus" || { status=1; continue; }
        [ -d "$here/corpus/$t" ] && cp "$here/corpus/$t/"* "$corpus/" 2>/dev/null
    fi
    log=$build/fuzz-$t.log
    dirs=("$corpus")   # new units go to the first; regress/ inputs are replayed first
    [ -d "$here/regress/$t" ] && dirs+=("$here/regress/$t")
    "$build/tests/fuzz/fuzz_$t" -dict="$(dict "$t")" -max_total_time="$secs" -print_final_stats=1 -max_len=16384 \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$build/crashes/$t-" "${dirs[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    # coverage: at INITED (the corpus read) and the last status line
    cov0=$(sed -nE 's/^#[0-9]+[[:space:]]+INITED cov: ([0-9]+).*/\1/p' "$log" | tail -n 1)
    cov1=$(sed -nE 's/^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+cov: ([0-9]+).*/\1/p' "$log" | tail -n 1)
    cov="cov ${cov0:-?} -> ${cov1:-${cov0:-?}}"
    if [ "$rc" -ne 0 ]; then
        crashes=$(sed -n 's/.*Test unit written to //p' "$log" | sort -u | wc -l)
        [ "$crashes" -gt 0 ] || crashes=1
        status=1
        echo "fuzz $t: $cov, ${execs:-?} executions, $crashes crashes (exit $rc); log: $log"
        grep -E '^(==|SUMMARY|fuzz|.*runtime error|artifact_prefix|Test unit)' "$log" | head -20
    else
        echo "fuzz $t: $cov, ${execs:-?} executions, 0 crashes"
    fi
done
exit $status
