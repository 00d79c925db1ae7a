#!/usr/bin/env bash
# run.sh TARGET SECONDS — runs one libFuzzer target (program, record, scan,
# testfile, engine)
# for SECONDS; `run.sh all SECONDS` runs each in turn.  Builds the targets
# first if needed, in $DPL_FUZZ_BUILD (default: build-fuzz; clang,
# ASan+UBSan).  The corpus lives in $DPL_FUZZ_BUILD/corpus/TARGET, seeded by
# seed_corpus.sh; crashing inputs are saved in $DPL_FUZZ_BUILD/crashes/ (copy
# one to tests/fuzz/regress/TARGET/ to keep it as a regression test).
# Prints one line per target:  fuzz TARGET: N executions, K crashes
# and exits 1 if any target crashed (or could not run).
set -uo pipefail
if [ $# -ne 2 ]; then
    echo "usage: tests/fuzz/run.sh TARGET|all SECONDS" >&2
    exit 2
fi
what=$1 secs=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
build=${DPL_FUZZ_BUILD:-build-fuzz}
targets=(program record scan testfile engine)
[ "$what" = all ] || targets=("$what")
for t in "${targets[@]}"; do
    case $t in program|record|scan|testfile|engine) ;; *) echo "run.sh: unknown target '$t'" >&2; exit 2 ;; esac
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
status=0
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    [ -d "$corpus" ] || "$here/seed_corpus.sh" "$t" "$corpus"
    log=$build/fuzz-$t.log
    dirs=("$corpus")   # new units go to the first; regress/ inputs are replayed first
    [ -d "$here/regress/$t" ] && dirs+=("$here/regress/$t")
    case $t in                      # the dictionary of the same kind of input
    scan|engine) dict=$here/record.dict ;;
    testfile) dict=$here/program.dict ;;   # test files use DPL's words and JSON
    *) dict=$here/$t.dict ;;
    esac
    "$build/tests/fuzz/fuzz_$t" -dict="$dict" -max_total_time="$secs" -print_final_stats=1 -max_len=16384 \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$build/crashes/$t-" "${dirs[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        crashes=$(sed -n 's/.*Test unit written to //p' "$log" | sort -u | wc -l)
        [ "$crashes" -gt 0 ] || crashes=1
        status=1
        echo "fuzz $t: ${execs:-?} executions, $crashes crashes (exit $rc); log: $log"
        grep -E '^(==|SUMMARY|fuzz|.*runtime error|artifact_prefix|Test unit)' "$log" | head -20
    else
        echo "fuzz $t: ${execs:-?} executions, 0 crashes"
    fi
done
exit $status
