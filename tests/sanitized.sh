#!/bin/sh
# sanitized.sh — runs a test under AddressSanitizer/UBSan builds so that a
# report from ANY of its processes fails it.  Criterion's forked workers exit
# 0 after LeakSanitizer prints a leak, and UBSan only prints by default, so
# exit statuses alone would hide both: every report goes to a log file here,
# and any log file is a failure.
dir=$(mktemp -d "${TMPDIR:-/tmp}/dpl-san.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$dir/asan"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$dir/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
"$@"
rc=$?
found=0
for f in "$dir"/*; do
    [ -e "$f" ] || continue
    found=1
    echo "== sanitizer report: $f" >&2
    cat "$f" >&2
done
[ "$found" -eq 0 ] || exit 1
exit "$rc"
