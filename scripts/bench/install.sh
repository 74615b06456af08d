#!/usr/bin/env bash
# Benchmark the installer against uv and pip on a real DevOps lock (boto3 + kubernetes +
# ansible-core, hashed, for the local python3), then record the results in
# docs/benchmarks.md between the install-bench markers:
#   - sync into a fresh venv, warm and cold cache: `skua sync` vs `uv pip sync` vs
#     `pip install --no-deps --require-hashes -r`
#   - venv creation: `skua venv` vs `uv venv` vs `python3 -m venv`
#   - second-run latency of a PEP 723 script: `skua run` vs `uv run`
#
# Usage: scripts/bench/install.sh   (needs network access to PyPI)
# Environment knobs: RUNS (default 5), SKIP_BUILD=1, BENCH_VENV, SKUA_BIN, BENCH_DOC.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TMP_BASE="${TMPDIR:-/tmp}"
BENCH_VENV="${BENCH_VENV:-$TMP_BASE/skua-bench-venv}"
RUNS="${RUNS:-5}"
DOC="${BENCH_DOC:-$REPO_ROOT/docs/benchmarks.md}"
SKUA="${SKUA_BIN:-$REPO_ROOT/target/release/skua}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine is missing: apt-get install hyperfine"
if [ "${SKIP_BUILD:-0}" != "1" ]; then
    (cd "$REPO_ROOT" && cargo build --release)
fi
if [ ! -x "$BENCH_VENV/bin/uv" ]; then
    (unset PIP_FIND_LINKS; [ -x "$BENCH_VENV/bin/python" ] || python3 -m venv "$BENCH_VENV"; "$BENCH_VENV/bin/pip" install -q uv)
fi
UV="$BENCH_VENV/bin/uv"
PY="$(command -v python3)"
WORK="$(mktemp -d "$TMP_BASE/skua-install-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
q() { printf '%q' "$1"; }
W="$(q "$WORK")"
# Venvs and caches of earlier runs are moved aside, not deleted, until the end: ext4 skips
# inodes freed in the last minute (five, while their table block is dirty) when it
# allocates new ones, so deleting ~6,000 files before each run made every later run's
# mkdirs slower than the one before, whichever tool it measured.
mkdir -p "$WORK/trash"
cat > "$WORK/retire" <<'SH'
#!/bin/sh
for path in "$@"; do
    [ -e "$path" ] && mv "$path" "$(mktemp -u "${path%/*}/trash/retired.XXXXXXXX")"
done
exit 0
SH
chmod +x "$WORK/retire"
R="$W/retire"
# The same rule for whatever was deleted just before this script started (a minute, once
# flushed).
log "waiting a minute for inodes freed before this run to age"
sync
sleep "${SETTLE_SECONDS:-65}"

log "locking boto3 + kubernetes + ansible-core for $($PY --version)"
printf 'boto3\nkubernetes\nansible-core\n' > "$WORK/devops.in"
"$SKUA" lock "$WORK/devops.in" -o "$WORK/devops.txt" --cache-dir "$WORK/lock-cache" --quiet
PACKAGES="$(grep -cE '^[a-z0-9]' "$WORK/devops.txt")"

log "sync: cold cache"
# One warmup run each: the first run of a tool after a while paid for a slow name lookup
# (5 s more, once), whichever tool ran first.
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/sync-cold.json" \
    -n "skua sync" --prepare "$R $W/v $W/c-skua && $(q "$SKUA") venv $W/v -q && sync" \
    "$(q "$SKUA") sync $W/devops.txt --python $W/v --cache-dir $W/c-skua -q" \
    -n "uv pip sync" --prepare "$R $W/v $W/c-uv && $(q "$UV") venv $W/v -q --python $(q "$PY") && sync" \
    "$(q "$UV") pip sync $W/devops.txt --python $W/v/bin/python --cache-dir $W/c-uv -q" \
    -n "pip install --require-hashes" --prepare "$R $W/v $W/c-pip && $(q "$PY") -m venv $W/v && sync" \
    "PIP_FIND_LINKS= $W/v/bin/pip install -q --no-deps --require-hashes -r $W/devops.txt --cache-dir $W/c-pip"

log "sync: warm cache"
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/sync-warm.json" \
    -n "skua sync" --prepare "$R $W/v && $(q "$SKUA") venv $W/v -q && sync" \
    "$(q "$SKUA") sync $W/devops.txt --python $W/v --cache-dir $W/c-skua -q" \
    -n "uv pip sync" --prepare "$R $W/v && $(q "$UV") venv $W/v -q --python $(q "$PY") && sync" \
    "$(q "$UV") pip sync $W/devops.txt --python $W/v/bin/python --cache-dir $W/c-uv -q" \
    -n "pip install --require-hashes" --prepare "$R $W/v && $(q "$PY") -m venv $W/v && sync" \
    "PIP_FIND_LINKS= $W/v/bin/pip install -q --no-deps --require-hashes -r $W/devops.txt --cache-dir $W/c-pip"

log "venv creation"
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/venv.json" --prepare "$R $W/e && sync" \
    -n "skua venv" "$(q "$SKUA") venv $W/e -q --python $(q "$PY")" \
    -n "uv venv" "$(q "$UV") venv $W/e -q --python $(q "$PY")" \
    -n "python -m venv" "$(q "$PY") -m venv $W/e"

log "second run of a PEP 723 script"
cat > "$WORK/script.py" <<'PY'
# /// script
# dependencies = ["requests"]
# ///
import requests
print(requests.__version__)
PY
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/run.json" \
    -n "skua run" "SKUA_CACHE_DIR=$W/run-skua $(q "$SKUA") run --python $(q "$PY") $W/script.py" \
    -n "uv run" "$(q "$UV") run --cache-dir $W/run-uv --python $(q "$PY") --script $W/script.py"

export BENCH_WORK="$WORK" BENCH_DOC="$DOC" BENCH_PACKAGES="$PACKAGES" BENCH_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD)" \
    BENCH_UV="$("$UV" --version)" BENCH_PY="$("$PY" --version 2>&1)" BENCH_PIP="$("$PY" -m pip --version | cut -d' ' -f1-2)" \
    BENCH_NPROC="$(nproc)"
PYTHONPATH="$SCRIPT_DIR" python3 - <<'PY'
from benchdoc import splice
import datetime, json, os, re

env = os.environ
work = env["BENCH_WORK"]
m = re.search(r"^model name\s*:\s*(.+)$", open("/proc/cpuinfo").read(), re.M)
cpu = m.group(1).strip() if m else "unknown"
rows = []
for name, label, base in (
    ("sync-cold", "sync, cold cache", "uv pip sync"),
    ("sync-warm", "sync, warm cache", "uv pip sync"),
    ("venv", "create a venv", "uv venv"),
    ("run", "second run of a PEP 723 script", "uv run"),
):
    results = json.load(open(os.path.join(work, name + ".json")))["results"]
    ref = next(r["mean"] for r in results if r["command"] == base)
    for r in results:
        rows.append(f"| {label} | {r['command']} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {r['mean'] / ref:.2f}x |")
section = f"""<!-- install-bench:start -->
## Install: skua vs uv vs pip

Generated by `scripts/bench/install.sh` on {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}: {env["BENCH_NPROC"]} CPUs ({cpu}); skua at git {env["BENCH_REV"]}, {env["BENCH_UV"]}, {env["BENCH_PIP"]}, {env["BENCH_PY"]}.

The lock is `boto3`, `kubernetes` and `ansible-core` locked by skua for the local interpreter ({env["BENCH_PACKAGES"]} packages, with hashes). Each sync goes into a fresh venv created outside the timing (skua's venv for skua, uv's for uv, `python -m venv` for pip). Cold: an empty cache for every run; warm: the cache filled by earlier runs; one warmup run per tool and task. Every run starts after `sync` has flushed the previous runs' writes, so one tool's disk writes do not slow down the next tool's timed runs, and earlier venvs and caches are moved aside rather than deleted until the end: ext4 skips recently freed inodes when it allocates, so deleting a venv's ~6,000 files before each run made each later run slower than the one before, whichever tool it measured. Both tools get the same `--python` path (here a pyenv shim, which makes every Python start slow); after its first run `skua venv` starts no Python at all, because it caches interpreter probes and remembers that venvs of that base interpreter work.

| task | tool | mean ± stddev (s) | ratio vs uv |
| --- | --- | --- | --- |
{chr(10).join(rows)}
<!-- install-bench:end -->"""
splice(env["BENCH_DOC"], "install-bench", section)
print(section)
PY
