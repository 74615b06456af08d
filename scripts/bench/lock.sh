#!/usr/bin/env bash
# Benchmark `skua lock` against `uv pip compile --generate-hashes` and
# `pip-compile --generate-hashes` on real DevOps requirement sets from PyPI, with a
# cold and a warm cache, then record the results in docs/benchmarks.md between the
# lock-bench markers.
#
# Usage: scripts/bench/lock.sh            (from any directory; needs network access to PyPI)
#
# Environment knobs:
#   RUNS=5              hyperfine runs for skua and uv (cold and warm)
#   PIP_COMPILE_RUNS=2  hyperfine runs for pip-compile (it is slow)
#   SKIP_BUILD=1        do not run `cargo build --release`
#   SKIP_PIP_COMPILE=1  leave pip-compile out
#   EXCLUDE_NEWER=...   the upload-time cutoff (default 2026-11-01T00:00:00Z)
#   BENCH_VENV=...      where uv and pip-tools are installed (default ${TMPDIR:-/tmp}/skua-bench-venv)
#   SKUA_BIN=...        skua binary (default target/release/skua)
#   BENCH_DOC=...       markdown file to update (default docs/benchmarks.md)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TMP_BASE="${TMPDIR:-/tmp}"
BENCH_VENV="${BENCH_VENV:-$TMP_BASE/skua-bench-venv}"
RUNS="${RUNS:-5}"
PIP_COMPILE_RUNS="${PIP_COMPILE_RUNS:-2}"
EXCLUDE_NEWER="${EXCLUDE_NEWER:-2026-11-01T00:00:00Z}"
DOC="${BENCH_DOC:-$REPO_ROOT/docs/benchmarks.md}"
SKUA="${SKUA_BIN:-$REPO_ROOT/target/release/skua}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
command -v hyperfine >/dev/null || die "hyperfine is missing: apt-get install hyperfine"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
    log "cargo build --release"
    (cd "$REPO_ROOT" && cargo build --release)
fi
[ -x "$SKUA" ] || die "$SKUA not found"

if [ ! -x "$BENCH_VENV/bin/uv" ] || [ ! -x "$BENCH_VENV/bin/pip-compile" ]; then
    log "installing uv and pip-tools into $BENCH_VENV"
    (
        unset PIP_FIND_LINKS
        [ -x "$BENCH_VENV/bin/python" ] || python3 -m venv "$BENCH_VENV"
        "$BENCH_VENV/bin/pip" install -q uv pip-tools
    )
fi
UV="$BENCH_VENV/bin/uv"
PIP_COMPILE="$BENCH_VENV/bin/pip-compile"

WORK="$(mktemp -d "$TMP_BASE/skua-lock-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The requirement sets, one a line: a name, then the requirements. The big sets (70+ pins,
# one that backtracks, one unsatisfiable) leave pip-compile out: it takes minutes on them.
cat > "$WORK/sets" <<'SETS'
devops boto3 kubernetes requests pyyaml ansible-core
pulumi pulumi pulumi-aws
airflow apache-airflow[amazon,cncf.kubernetes,postgres,http]==2.10.*
dagster dagster dagster-aws dagster-k8s
prefect prefect
mlflow mlflow
backtracking boto3 botocore<1.31 kubernetes
unsatisfiable boto3<1.20 botocore>=1.30
SETS
SMALL_SETS="devops pulumi"
SETS=""
set -f  # the requirements hold `*` and brackets
while read -r name reqs; do
    printf '%s\n' $reqs > "$WORK/$name.in"
    SETS="$SETS $name"
done < "$WORK/sets"
set +f

TARGET=(--python-version 3.11 --python-platform x86_64-manylinux_2_28)
q() { printf '%q' "$1"; }

for set in $SETS; do
    in="$WORK/$set.in"
    skua_cmd() { echo "$(q "$SKUA") lock $(q "$in") -o $(q "$WORK/$set.skua.txt") ${TARGET[*]} --exclude-newer $EXCLUDE_NEWER --cache-dir $(q "$1") --quiet"; }
    uv_cmd() { echo "$(q "$UV") pip compile $(q "$in") --generate-hashes ${TARGET[*]} --exclude-newer $EXCLUDE_NEWER --cache-dir $(q "$1") -o $(q "$WORK/$set.uv.txt") --quiet"; }
    # pip-compile has no --exclude-newer or cross-platform target: it resolves for this
    # interpreter with today's index, so its sets can differ slightly.
    pc_cmd() { echo "PIP_FIND_LINKS= $(q "$PIP_COMPILE") $(q "$in") --generate-hashes --quiet --cache-dir $(q "$1") -o $(q "$WORK/$set.pip-compile.txt")"; }

    # A set nothing satisfies fails by design: time it anyway.
    ignore=()
    [ "$set" = unsatisfiable ] && ignore=(--ignore-failure)
    case " $SMALL_SETS " in *" $set "*) small=1 ;; *) small=0 ;; esac

    # Each tool's prepare removes only its own cache and output: both read an existing
    # output file as preferences, which would make a cold run a warm one.
    log "$set: cold cache"
    hyperfine "${ignore[@]}" --runs "$RUNS" --export-json "$WORK/$set.cold.json" \
        --prepare "rm -rf $(q "$WORK/cold-skua") $(q "$WORK/$set.skua.txt")" \
        --prepare "rm -rf $(q "$WORK/cold-uv") $(q "$WORK/$set.uv.txt")" \
        -n "skua lock" "$(skua_cmd "$WORK/cold-skua")" \
        -n "uv pip compile" "$(uv_cmd "$WORK/cold-uv")"
    # What one cold run leaves in each cache (the last run's directories are kept).
    printf '{"skua lock": %s, "uv pip compile": %s}\n' \
        "$(du -sb "$WORK/cold-skua" | cut -f1)" "$(du -sb "$WORK/cold-uv" | cut -f1)" > "$WORK/$set.bytes.json"
    if [ "${SKIP_PIP_COMPILE:-0}" != "1" ] && [ "$small" = 1 ]; then
        hyperfine --runs "$PIP_COMPILE_RUNS" --export-json "$WORK/$set.cold.pc.json" \
            --prepare "rm -rf $(q "$WORK/cold-pc")" \
            -n "pip-compile" "$(pc_cmd "$WORK/cold-pc")"
    fi

    log "$set: warm cache"
    hyperfine "${ignore[@]}" --runs "$RUNS" --warmup 1 --export-json "$WORK/$set.warm.json" \
        --prepare "rm -f $(q "$WORK/$set.skua.txt")" \
        --prepare "rm -f $(q "$WORK/$set.uv.txt")" \
        -n "skua lock" "$(skua_cmd "$WORK/warm-skua")" \
        -n "uv pip compile" "$(uv_cmd "$WORK/warm-uv")"
    if [ "${SKIP_PIP_COMPILE:-0}" != "1" ] && [ "$small" = 1 ]; then
        hyperfine --runs "$PIP_COMPILE_RUNS" --warmup 1 --export-json "$WORK/$set.warm.pc.json" \
            -n "pip-compile" "$(pc_cmd "$WORK/warm-pc")"
    fi
done

SKUA_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
export BENCH_WORK="$WORK" BENCH_DOC="$DOC" BENCH_SETS="$SETS" BENCH_SMALL_SETS="$SMALL_SETS" BENCH_RUNS="$RUNS" \
    BENCH_PC_RUNS="$PIP_COMPILE_RUNS" BENCH_SKUA_REV="$SKUA_REV" BENCH_EXCLUDE_NEWER="$EXCLUDE_NEWER" \
    BENCH_UV_VERSION="$("$UV" --version)" BENCH_PC_VERSION="$("$PIP_COMPILE" --version 2>/dev/null | head -n1)" \
    BENCH_NPROC="$(nproc)"
PYTHONPATH="$SCRIPT_DIR" python3 - <<'PY'
from benchdoc import splice
import datetime, json, os, re

env = os.environ
work = env["BENCH_WORK"]


def load(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return json.load(fh)["results"]


def read(path):
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return ""


m = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.M)
cpu = m.group(1).strip() if m else "unknown"
rows = []
for name in env["BENCH_SETS"].split():
    with open(os.path.join(work, f"{name}.in")) as fh:
        packages = ", ".join(f"`{r}`" for r in fh.read().split())
    pinned = [line for line in read(os.path.join(work, f"{name}.uv.txt")).splitlines() if line[:1].isalnum()]
    label = f"{packages} ({len(pinned)} pins)" if pinned else f"{packages} (no solution)"
    try:
        with open(os.path.join(work, f"{name}.bytes.json")) as fh:
            sizes = json.load(fh)
    except OSError:
        sizes = {}
    for cache in ("cold", "warm"):
        results = load(f"{name}.{cache}.json") + load(f"{name}.{cache}.pc.json")
        uv = next((r["mean"] for r in results if r["command"] == "uv pip compile"), None)
        for r in results:
            ratio = f"{r['mean'] / uv:.2f}x" if uv else "n/a"
            size = sizes.get(r["command"]) if cache == "cold" else None
            size = f"{size / 1e6:.1f}" if size is not None else ""
            rows.append(f"| {label} | {cache} | {r['command']} | {r['mean']:.2f} ± {r['stddev'] or 0:.2f} | {ratio} | {size} |")

section = f"""<!-- lock-bench:start -->
## Lock: skua vs uv vs pip-compile

Generated by `scripts/bench/lock.sh` on {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}, against the real PyPI.

**Machine:** {env["BENCH_NPROC"]} CPUs ({cpu}). **Tools:** skua at git {env["BENCH_SKUA_REV"]}; {env["BENCH_UV_VERSION"]}; {env["BENCH_PC_VERSION"]}.

skua and uv resolve for Python 3.11 on x86_64-manylinux_2_28 with `--exclude-newer {env["BENCH_EXCLUDE_NEWER"]}` and write hashes; pip-compile has neither option, so it resolves for the local interpreter against today's index. Cold: a fresh cache directory for every run; warm: the cache of the previous run. {env["BENCH_RUNS"]} runs each for skua and uv, {env["BENCH_PC_RUNS"]} for pip-compile, which runs only on the small sets ({", ".join(env["BENCH_SMALL_SETS"].split())}): on the big ones it takes minutes. Cache MB: what one cold run leaves in the tool's cache directory. Pins: uv's count. Network times vary between runs: compare ratios within a row group. Whether skua and uv pin the same versions is checked by `scripts/bench/lock-accuracy.sh` (below).

| requirements | cache | tool | mean ± stddev (s) | ratio vs uv | cache MB |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}
<!-- lock-bench:end -->"""

splice(env["BENCH_DOC"], "lock-bench", section)
print(section)
PY
log "updated $DOC"
