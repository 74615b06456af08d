#!/usr/bin/env bash
# Benchmark `skua lint` against ruff (flake8-bandit rules, --select S) and bandit
# on a copy of the local Python standard library, then record the results in
# docs/benchmarks.md between the lint-bench markers.
#
# Usage: scripts/bench/lint.sh            (from any directory)
#
# Environment knobs:
#   RUNS=10            hyperfine runs for skua and ruff
#   WARMUP=2           hyperfine warmup runs for skua and ruff
#   BANDIT_RUNS=3      hyperfine runs for bandit (it is slow)
#   BANDIT_WARMUP=0    hyperfine warmup runs for bandit
#   SKIP_BUILD=1       do not run `cargo build --release` (use the existing binary)
#   SKIP_BANDIT=1      leave bandit out entirely
#   CORPUS=/some/dir   benchmark another tree instead of the stdlib (only *.py files are copied)
#   BENCH_VENV=...     where ruff and bandit are installed (default ${TMPDIR:-/tmp}/skua-bench-venv)
#   SKUA_BIN=...       skua binary to benchmark (default target/release/skua)
#   BENCH_DOC=...      markdown file to update (default docs/benchmarks.md)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TMP_BASE="${TMPDIR:-/tmp}"
BENCH_VENV="${BENCH_VENV:-$TMP_BASE/skua-bench-venv}"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
BANDIT_RUNS="${BANDIT_RUNS:-3}"
BANDIT_WARMUP="${BANDIT_WARMUP:-0}"
DOC="${BENCH_DOC:-$REPO_ROOT/docs/benchmarks.md}"
SKUA="${SKUA_BIN:-$REPO_ROOT/target/release/skua}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
    # apt_install PACKAGE: install a Debian package when running as root.
    if ! is_root; then
        return 1
    fi
    apt-get install -y -q "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$1" >/dev/null; }
}

command -v python3 >/dev/null || die "python3 is required"

# --- 1. build ---------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != "1" ]; then
    log "cargo build --release"
    (cd "$REPO_ROOT" && cargo build --release)
fi
[ -x "$SKUA" ] || die "$SKUA not found (build it first or unset SKIP_BUILD)"

# --- 2. ruff + bandit in a throwaway venv -----------------------------------
if [ ! -x "$BENCH_VENV/bin/ruff" ] || [ ! -x "$BENCH_VENV/bin/bandit" ]; then
    log "creating $BENCH_VENV with ruff and bandit"
    (
        unset PIP_FIND_LINKS
        python3 -m venv "$BENCH_VENV"
        "$BENCH_VENV/bin/pip" install -q ruff bandit
    )
fi
RUFF="$BENCH_VENV/bin/ruff"
BANDIT="$BENCH_VENV/bin/bandit"

# --- 3. hyperfine and GNU time ----------------------------------------------
if ! command -v hyperfine >/dev/null; then
    log "installing hyperfine"
    apt_install hyperfine || die "hyperfine is missing: install it (apt-get install hyperfine, or cargo install hyperfine) and re-run"
fi
TIME_BIN=""
if [ -x /usr/bin/time ]; then
    TIME_BIN=/usr/bin/time
elif apt_install time && [ -x /usr/bin/time ]; then
    TIME_BIN=/usr/bin/time
else
    log "GNU time (/usr/bin/time) not available: peak RSS will not be measured (apt-get install time)"
fi

# --- 4. corpus ----------------------------------------------------------------
WORK="$(mktemp -d "$TMP_BASE/skua-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
SRC="${CORPUS:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}"
[ -d "$SRC" ] || die "corpus $SRC is not a directory"
DIR="$WORK/corpus"
log "copying *.py from $SRC to $DIR"
# Copy only *.py files (no site-packages / dist-packages / __pycache__) and rename
# directories that one tool or another skips by default (the stdlib has a `venv`
# package, for instance), so that every tool sees exactly the same files.
python3 - "$SRC" "$DIR" <<'PY'
import os, shutil, sys

src, dst = sys.argv[1], sys.argv[2]
skip = {"site-packages", "dist-packages", "__pycache__", ".git", ".hg", ".svn"}
rename = {"venv", ".venv", "env", ".env", "build", "dist", "_build", "buck-out", "node_modules",
          "__pypackages__", ".tox", ".nox", ".eggs", ".direnv", ".mypy_cache", ".pytest_cache",
          ".ruff_cache", "target", "vendor", "third_party"}
for root, dirs, files in os.walk(src):
    dirs[:] = sorted(d for d in dirs if d not in skip)
    rel = os.path.relpath(root, src)
    parts = [] if rel == "." else [p + "_" if p in rename else p for p in rel.split(os.sep)]
    out = os.path.join(dst, *parts)
    for name in files:
        if name.endswith(".py"):
            os.makedirs(out, exist_ok=True)
            shutil.copyfile(os.path.join(root, name), os.path.join(out, name))
PY
read -r FILES LINES < <(python3 - "$DIR" <<'PY'
import os, sys
files = lines = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(root, name), "rb") as fh:
            files += 1
            lines += fh.read().count(b"\n")
print(files, lines)
PY
)
log "corpus: $FILES files, $LINES lines"

# --- 5. timings ---------------------------------------------------------------
qdir=$(printf '%q' "$DIR")
SKUA_CMD="$(printf '%q' "$SKUA") lint --exit-zero --quiet --output-format concise $qdir"
RUFF_CMD="$(printf '%q' "$RUFF") check --isolated --select S --no-cache --exit-zero --quiet $qdir"
BANDIT_CMD="$(printf '%q' "$BANDIT") -r -q $qdir"

# Sanity check: each tool has to get through the corpus at all.
for cmd in "$SKUA_CMD" "$RUFF_CMD"; do
    set +e
    bash -c "$cmd" >/dev/null 2>"$WORK/sanity.err"
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        cat "$WORK/sanity.err" >&2
        die "'$cmd' exited with $rc"
    fi
done

log "hyperfine: skua vs ruff ($RUNS runs, $WARMUP warmup)"
hyperfine --warmup "$WARMUP" --runs "$RUNS" --ignore-failure \
    --export-json "$WORK/fast.json" \
    -n skua "$SKUA_CMD" \
    -n "ruff --select S" "$RUFF_CMD"

if [ "${SKIP_BANDIT:-0}" != "1" ]; then
    log "hyperfine: bandit ($BANDIT_RUNS runs, $BANDIT_WARMUP warmup)"
    hyperfine --warmup "$BANDIT_WARMUP" --runs "$BANDIT_RUNS" --ignore-failure \
        --export-json "$WORK/bandit.json" \
        -n bandit "$BANDIT_CMD"
fi

# --- 6. peak memory -----------------------------------------------------------
measure_rss() {
    # measure_rss NAME CMD: one run under GNU time, peak RSS in KiB into $WORK/rss.NAME
    if [ -z "$TIME_BIN" ]; then
        return 0
    fi
    log "peak RSS: $1"
    "$TIME_BIN" -f %M -o "$WORK/rss.$1" bash -c "exec $2" >/dev/null 2>&1 || true
}
measure_rss skua "$SKUA_CMD"
measure_rss ruff "$RUFF_CMD"
if [ "${SKIP_BANDIT:-0}" != "1" ]; then
    measure_rss bandit "$BANDIT_CMD"
fi

# --- 7. docs/benchmarks.md ------------------------------------------------------
SKUA_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    SKUA_REV="$SKUA_REV (dirty)"
fi
BENCH_NPROC="$(nproc 2>/dev/null || echo '?')"
BENCH_SKUA_VERSION="$("$SKUA" --version 2>/dev/null | head -n1 || true)"
BENCH_RUFF_VERSION="$("$RUFF" --version 2>/dev/null | head -n1)"
BENCH_BANDIT_VERSION="$("$BANDIT" --version 2>/dev/null | head -n1)"
BENCH_PYTHON_VERSION="$(python3 --version 2>&1)"
BENCH_HYPERFINE_VERSION="$(hyperfine --version 2>/dev/null | head -n1)"
export BENCH_NPROC BENCH_SKUA_VERSION BENCH_RUFF_VERSION BENCH_BANDIT_VERSION BENCH_PYTHON_VERSION BENCH_HYPERFINE_VERSION
export BENCH_WORK="$WORK" BENCH_DOC="$DOC" BENCH_SRC="$SRC" BENCH_FILES="$FILES" BENCH_LINES="$LINES" \
    BENCH_RUNS="$RUNS" BENCH_WARMUP="$WARMUP" BENCH_BANDIT_RUNS="$BANDIT_RUNS" BENCH_SKUA_REV="$SKUA_REV" \
    BENCH_SKUA_CMD="skua lint --exit-zero --quiet --output-format concise CORPUS" \
    BENCH_RUFF_CMD="ruff check --isolated --select S --no-cache --exit-zero --quiet CORPUS" \
    BENCH_BANDIT_CMD="bandit -r -q CORPUS"
PYTHONPATH="$SCRIPT_DIR" python3 - <<'PY'
from benchdoc import splice
import datetime, json, os, platform, re

env = os.environ
work = env["BENCH_WORK"]

results = []
for name in ("fast.json", "bandit.json"):
    path = os.path.join(work, name)
    if os.path.exists(path):
        with open(path) as fh:
            results.extend(json.load(fh)["results"])


def rss_mb(tool):
    path = os.path.join(work, "rss." + tool)
    try:
        with open(path) as fh:
            kib = int(fh.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return "n/a"
    return f"{kib / 1024:.1f}"


def read(path, default=""):
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return default


cpuinfo = read("/proc/cpuinfo")
m = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
cpu = m.group(1).strip() if m else platform.processor() or "unknown"
m = re.search(r"^MemTotal:\s*(\d+) kB", read("/proc/meminfo"), re.M)
mem = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else "unknown"
osname = platform.platform()
m = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', read("/etc/os-release"), re.M)
if m:
    osname = f"{m.group(1)} ({platform.system()} {platform.release()})"

ruff_mean = next((r["mean"] for r in results if r["command"].startswith("ruff")), None)
rows = []
for r in results:
    tool = r["command"].split()[0]
    ratio = f"{r['mean'] / ruff_mean:.2f}x" if ruff_mean else "n/a"
    rows.append(f"| {r['command']} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {ratio} | {rss_mb(tool)} |")

has_bandit = any(r["command"] == "bandit" for r in results)
bandit_runs = f', {env["BENCH_BANDIT_RUNS"]} runs for bandit' if has_bandit else ""
commands = "\n".join(
    f"- `{env[key]}`"
    for key in ("BENCH_SKUA_CMD", "BENCH_RUFF_CMD", "BENCH_BANDIT_CMD")
    if key != "BENCH_BANDIT_CMD" or has_bandit
)

section = f"""<!-- lint-bench:start -->
## Lint: skua vs ruff vs bandit

Generated by `scripts/bench/lint.sh` on {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}.

**Machine:** {env["BENCH_NPROC"]} CPUs ({cpu}), {mem} RAM, {osname}

**Tools:** skua {env.get("BENCH_SKUA_VERSION", "").removeprefix("skua ").strip() or "(no --version)"} at git {env["BENCH_SKUA_REV"]}; {env["BENCH_RUFF_VERSION"]}; {env["BENCH_BANDIT_VERSION"].strip()}; {env["BENCH_PYTHON_VERSION"]}; {env["BENCH_HYPERFINE_VERSION"]}

**Corpus:** the `*.py` files of `{env["BENCH_SRC"]}` (site-packages excluded), copied to a temp dir with directories such as `venv` renamed so that no tool's default excludes apply: {int(env["BENCH_FILES"]):,} files, {int(env["BENCH_LINES"]):,} lines.

Commands (all output to /dev/null; {env["BENCH_RUNS"]} runs after {env["BENCH_WARMUP"]} warmup run(s) for skua and ruff{bandit_runs}):

{commands}

| tool | mean ± stddev (s) | ratio vs ruff | peak RSS (MB) |
| --- | --- | --- | --- |
{chr(10).join(rows)}

Peak RSS is from a single run under `/usr/bin/time -f %M`.
<!-- lint-bench:end -->"""

splice(env["BENCH_DOC"], "lint-bench", section)
print(section)
PY
log "updated $DOC"
