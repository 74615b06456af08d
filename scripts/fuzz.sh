#!/usr/bin/env bash
# Runs one fuzz target under AFL++ (the `afl` crate, stable toolchain) for a given time.
#
#   scripts/fuzz.sh TARGET SECONDS      TARGET: requirements | lint | wheel | lock
#
# Needs `cargo install cargo-afl` and `cargo afl config --build` once. Seeds come from
# fuzz/corpus/TARGET; findings go to fuzz/out/TARGET (not committed). Prints the run's
# executions and the crashes and hangs found. Runs niced on one core.
set -euo pipefail

target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
case $target in
requirements | lint | wheel | lock) ;;
*)
    echo "unknown target $target (requirements, lint, wheel, lock)" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"
nice cargo afl build --release --bin "$target" >&2

out=$root/fuzz/out/$target
mkdir -p "$out"
# Resume from the queue of an earlier run, else start from the committed seeds.
input=$root/fuzz/corpus/$target
if [ -d "$out/default/queue" ]; then
    input=-
fi
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY=1 AFL_AUTORESUME=1
nice -n 10 cargo afl fuzz -i "$input" -o "$out" -V "$seconds" -t 5000 \
    "$root/fuzz/target/release/$target" >"$out/fuzz.log" 2>&1 || true

stats=$out/default/fuzzer_stats
if [ ! -f "$stats" ]; then
    echo "afl-fuzz did not start; see $out/fuzz.log" >&2
    tail -20 "$out/fuzz.log" >&2
    exit 1
fi
get() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "$target: ${seconds}s, $(get execs_done) executions, $(get corpus_count) paths, $crashes crashes, $hangs hangs"
if [ "$crashes" -gt 0 ]; then
    echo "crashing inputs: $out/default/crashes" >&2
    exit 1
fi
