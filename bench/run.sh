#!/usr/bin/env bash
# bench/run.sh — dpl against jq and gojq on the same FIPE stream (see bench/README.md).
#
#   bench/run.sh               200,000 records: dpl, jq, gojq, best of 3 each,
#                              outputs compared, MB/s, records/s, peak RSS, ratios
#   bench/run.sh --rss         peak RSS of dpl at 200,000 vs 1,000,000 records
#   bench/run.sh --no-dpl      jq and gojq only (baselines)
#   bench/run.sh --matrix      the program matrix (bench/matrix/run.py): seed,
#                              realistic, --raw, all+delete, [*]+aggregates;
#                              dpl, dpl -j 2, jq, gojq; medians of -r runs
#   options: -n N (records), -r R (runs per tool; 3, and 7 with --matrix),
#            -j N (passed to `dpl run`)
#   DPL_ARGS="..."             extra arguments for `dpl run`
#
# Installs jq, gojq and GNU time if missing (scripts/setup --bench), builds a
# release dpl in build-release/, and keeps data in bench/data/ and outputs in
# bench/out/ (both gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."

n=200000
runs=
mode=compare
with_dpl=1
read -r -a dpl_args <<<"${DPL_ARGS:-}"   # split on spaces, no globbing
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -r) runs=$2; shift 2 ;;
        -j) dpl_args+=(-j "$2"); shift 2 ;;
        --rss) mode=rss; shift ;;
        --no-dpl) with_dpl=0; shift ;;
        --matrix) mode=matrix; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done
if [ "$mode" = rss ] && [ "$with_dpl" = 0 ]; then
    echo "bench: --rss measures dpl; it cannot be combined with --no-dpl" >&2
    exit 2
fi

scripts/setup --bench --no-build

mkdir -p bench/data bench/out
dpl=
if [ "$with_dpl" = 1 ]; then
    if [ -f build-release/meson-private/coredata.dat ]; then
        meson setup --reconfigure build-release --buildtype=release -Dtests=false >/dev/null
    else
        meson setup build-release --buildtype=release -Dtests=false >/dev/null
    fi
    if ! ninja -C build-release >bench/out/build.log 2>&1; then
        cat bench/out/build.log >&2; exit 1
    fi
    dpl=build-release/dpl
    [ -x "$dpl" ] || dpl=build-release/cli/dpl   # where cli/meson.build puts it
    [ -x "$dpl" ] || { echo "bench: no dpl binary in build-release/" >&2; exit 1; }
fi

# Generates (once) the N-record file with the default mix: 5% from another
# source, 2% without data.valor; regenerated when the generator changes.
data_file() {
    local f=bench/data/fipe-$1.ndjson
    if [ ! -s "$f" ] || [ examples/gen_fipe.py -nt "$f" ]; then
        echo "bench: generating $f" >&2
        python3 examples/gen_fipe.py "$1" --seed 1 --other 5 --missing-valor 2 -o "$f.tmp"
        mv "$f.tmp" "$f"
    fi
    echo "$f"
}

# measure NAME INPUT OUTPUT -- CMD...: runs CMD (stdin INPUT, stdout OUTPUT)
# $runs times; sets best_ms (wall), cpu_s (user+sys of that run), rss_kb (max).
measure() {
    local name=$1 in=$2 out=$3; shift 4
    local i t0 t1 ms tv=bench/out/$name.time
    best_ms=; rss_kb=0
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        # fd 3: the command's stderr (errf, or ours; never reopen /dev/stderr,
        # which would truncate a redirected log)
        if [ -n "${errf:-}" ]; then exec 3>"$errf"; else exec 3>&2; fi
        if ! /usr/bin/time -v -o "$tv" "$@" <"$in" >"$out" 2>&3; then
            echo "bench: $name failed (exit status in $tv):" >&2
            [ -z "${errf:-}" ] || tail -n 20 "$errf" >&2
            exit 1
        fi
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        local kb user sys
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
        user=$(awk -F': ' '/User time/ {print $2}' "$tv")
        sys=$(awk -F': ' '/System time/ {print $2}' "$tv")
        [ "$kb" -gt "$rss_kb" ] && rss_kb=$kb
        if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then
            best_ms=$ms
            cpu_s=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
        fi
    done
}

if [ "$mode" = matrix ]; then
    # dpl's ratios are medians of paired runs: 7 pairs by default, as
    # bench/README.md's tables were taken
    exec python3 bench/matrix/run.py --dpl "$dpl" -n "$n" -r "${runs:-7}"
fi
runs=${runs:-3}

if [ "$mode" = rss ]; then
    echo "peak RSS of: dpl run ${dpl_args[*]:+${dpl_args[*]} }examples/fipe.dpl (memory must not grow with the stream)"
    for size in 200000 1000000; do
        f=$(data_file $size)
        runs=1
        measure dpl "$f" /dev/null -- "$dpl" run "${dpl_args[@]}" --rejects /dev/null examples/fipe.dpl
        printf '  %8d records (%4d MB): peak RSS %6.1f MB, wall %.2f s\n' \
            "$size" "$(($(stat -c %s "$f") / 1000000))" "$(echo "$rss_kb" | awk '{print $1 / 1024}')" \
            "$(echo "$best_ms" | awk '{print $1 / 1000}')"
    done
    exit 0
fi

in=$(data_file "$n")
bytes=$(stat -c %s "$in")
lines=$(wc -l <"$in")
echo "input: $in, $lines records, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB; best of $runs wall-clock runs per tool"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); $(jq --version), gojq $(gojq --version | awk '{print $2}')"

declare -A ms cpu rss
if [ -n "$dpl" ]; then
    errf=bench/out/dpl.stats measure dpl "$in" bench/out/dpl.ndjson -- \
        "$dpl" run "${dpl_args[@]}" --stats --rejects bench/out/dpl.rejects examples/fipe.dpl
    ms[dpl]=$best_ms; cpu[dpl]=$cpu_s; rss[dpl]=$rss_kb
fi
measure jq "$in" bench/out/jq.ndjson -- jq -c -f bench/fipe.jq
ms[jq]=$best_ms; cpu[jq]=$cpu_s; rss[jq]=$rss_kb
measure gojq "$in" bench/out/gojq.ndjson -- gojq -c -f bench/fipe.jq
ms[gojq]=$best_ms; cpu[gojq]=$cpu_s; rss[gojq]=$rss_kb

echo
printf '%-6s %9s %9s %9s %12s %12s\n' tool wall_s cpu_s MB/s records/s peak_RSS_MB
for t in dpl jq gojq; do
    [ -n "${ms[$t]:-}" ] || continue
    awk -v t="$t" -v ms="${ms[$t]}" -v cpu="${cpu[$t]}" -v kb="${rss[$t]}" -v b="$bytes" -v l="$lines" \
        'BEGIN { s = ms / 1000; if (s <= 0) s = 0.001;
                 printf "%-6s %9.2f %9.2f %9.1f %12.0f %12.1f\n", t, s, cpu, b / s / 1e6, l / s, kb / 1024 }'
done
if [ -n "$dpl" ]; then
    awk -v d="${ms[dpl]}" -v j="${ms[jq]}" -v g="${ms[gojq]}" \
        -v dc="${cpu[dpl]}" -v jc="${cpu[jq]}" -v gc="${cpu[gojq]}" 'BEGIN {
        if (d < 10 || dc < 0.05) { print "\n(run too short for ratios: use more records)"; exit }
        printf "\nspeed ratio, wall time: dpl/jq %.1fx, dpl/gojq %.1fx\n", j / d, g / d
        printf "speed ratio, CPU time:  dpl/jq %.1fx, dpl/gojq %.1fx\n", jc / dc, gc / dc }'
fi

echo
args=(--input "$in" --jq bench/out/jq.ndjson --gojq bench/out/gojq.ndjson)
[ -z "$dpl" ] || args+=(--dpl bench/out/dpl.ndjson --dpl-stats bench/out/dpl.stats)
python3 bench/compare.py "${args[@]}"
[ -z "$dpl" ] || echo "dpl --stats: $(tail -n 1 bench/out/dpl.stats)"
