#!/usr/bin/env bash
# Universal locks: lock real DevOps sets with `skua lock --universal` and
# `uv pip compile --universal` (same floor and cutoff, each with a cold cache), then check,
# for every environment of the grid (Linux x86_64/aarch64, macOS x86_64/arm64, Windows x64,
# each CPython from the floor to 3.14), that the entries whose markers hold are the same
# name==version set in both locks. Markers are evaluated with `packaging` (pip's vendored
# copy in the bench venv), not with skua's own evaluator. Writes a table to
# docs/benchmarks.md between the lock-universal markers. Needs network access to PyPI.
#
# Environment knobs: SKIP_BUILD=1, BENCH_VENV, SKUA_BIN, BENCH_DOC, EXCLUDE_NEWER.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TMP_BASE="${TMPDIR:-/tmp}"
BENCH_VENV="${BENCH_VENV:-$TMP_BASE/skua-bench-venv}"
DOC="${BENCH_DOC:-$REPO_ROOT/docs/benchmarks.md}"
SKUA="${SKUA_BIN:-$REPO_ROOT/target/release/skua}"
EXCLUDE_NEWER="${EXCLUDE_NEWER:-2026-11-01T00:00:00Z}"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
    (cd "$REPO_ROOT" && cargo build --release -p skua)
fi
if [ ! -x "$BENCH_VENV/bin/uv" ]; then
    (unset PIP_FIND_LINKS; [ -x "$BENCH_VENV/bin/python" ] || python3 -m venv "$BENCH_VENV"; "$BENCH_VENV/bin/pip" install -q uv)
fi
UV="$BENCH_VENV/bin/uv"
PY="$BENCH_VENV/bin/python"
WORK="$(mktemp -d "$TMP_BASE/skua-universal.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# One set per line: a name, the Python floor, then the requirements.
cat > "$WORK/sets" <<'SETS'
platform-mix 3.9 boto3 kubernetes click uvicorn[standard] psutil cryptography anyio rich pywin32;sys_platform=="win32" numpy pydantic
ops-tools 3.10 ansible-core fabric paramiko pywinrm docker psycopg2-binary gunicorn;sys_platform!="win32" waitress;sys_platform=="win32" tomli;python_version<"3.11" pandas google-cloud-storage azure-identity
web-ops 3.9 fastapi uvicorn[standard] httpx pydantic-settings
airflow-lite 3.10 apache-airflow-providers-amazon
SETS

# name==version per environment, from a lock's `name==version ; marker` lines.
cat > "$WORK/compare.py" <<'PYCODE'
import sys
from pip._vendor.packaging.markers import Marker

PLATFORMS = [
    ("linux", "x86_64", "Linux"), ("linux", "aarch64", "Linux"),
    ("darwin", "x86_64", "Darwin"), ("darwin", "arm64", "Darwin"),
    ("win32", "AMD64", "Windows"),
]

def entries(path):
    out = []
    for line in open(path):
        if not line[:1].isalnum():
            continue
        line = line.rstrip().rstrip("\\").strip()
        pin, _, marker = line.partition(";")
        name, _, version = pin.strip().partition("==")
        name = name.split("[")[0].lower().replace("_", "-")
        out.append((name, version.strip(), Marker(marker.strip()) if marker.strip() else None))
    return out

def environment(sys_platform, machine, system, minor):
    return {
        "sys_platform": sys_platform, "platform_machine": machine, "platform_system": system,
        "os_name": "nt" if sys_platform == "win32" else "posix",
        "python_version": f"3.{minor}", "python_full_version": f"3.{minor}.0",
        "implementation_name": "cpython", "platform_python_implementation": "CPython",
        "implementation_version": f"3.{minor}.0", "platform_release": "", "platform_version": "",
    }

skua, uv, floor = entries(sys.argv[1]), entries(sys.argv[2]), int(sys.argv[3].split(".")[1])
same = total = 0
differences = []
for minor in range(floor, 15):
    for platform in PLATFORMS:
        env = environment(*platform, minor)
        pick = lambda lock: {f"{n}=={v}" for n, v, m in lock if m is None or m.evaluate(env)}
        a, b = pick(skua), pick(uv)
        total += 1
        if a == b:
            same += 1
        else:
            differences.append(f"3.{minor} {platform[0]}/{platform[1]}: skua {sorted(a - b)} uv {sorted(b - a)}")
print(f"{same}/{total}")
print(f"{len(skua)} entries, uv {len(uv)}")
print("; ".join(differences[:2])[:400])
PYCODE

rows=()
while read -r name floor reqs; do
    printf '%s\n' $reqs > "$WORK/$name.in"
    common=(--universal --python-version "$floor" --exclude-newer "$EXCLUDE_NEWER")
    start=$(date +%s.%N)
    "$SKUA" lock "$WORK/$name.in" -o "$WORK/$name.skua.txt" "${common[@]}" --quiet --cache-dir "$WORK/cache-skua-$name"
    skua_s=$(echo "$(date +%s.%N) - $start" | bc)
    start=$(date +%s.%N)
    "$UV" pip compile "$WORK/$name.in" -o "$WORK/$name.uv.txt" "${common[@]}" --generate-hashes --no-header --quiet --cache-dir "$WORK/cache-uv-$name"
    uv_s=$(echo "$(date +%s.%N) - $start" | bc)
    mapfile -t result < <("$PY" "$WORK/compare.py" "$WORK/$name.skua.txt" "$WORK/$name.uv.txt" "$floor")
    verdict="${result[0]} environments identical (${result[1]})"
    if [ -n "${result[2]:-}" ]; then verdict="$verdict; ${result[2]}"; fi
    row=$(printf '| %s | %s | `%s` | %s | %.1f s | %.1f s | %.2fx |' "$name" "$floor" "$reqs" "$verdict" "$skua_s" "$uv_s" "$(echo "$skua_s / $uv_s" | bc -l)")
    rows+=("$row")
    echo "$row" >&2
done < "$WORK/sets"

table=$(printf '%s\n' "${rows[@]}")
export BENCH_DOC="$DOC" BENCH_TABLE="$table" BENCH_UV_VERSION="$("$UV" --version)" \
    BENCH_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD)" BENCH_EXCLUDE_NEWER="$EXCLUDE_NEWER" \
    BENCH_MACHINE="$(nproc) cores, $(uname -m) $(uname -s)"
PYTHONPATH="$SCRIPT_DIR" python3 - <<'PY'
import datetime, os

from benchdoc import splice

env = os.environ
section = f"""<!-- lock-universal:start -->
## Universal locks: skua vs uv

Generated by `scripts/bench/lock-universal.sh` on {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")} (skua at git {env["BENCH_REV"]}, {env["BENCH_UV_VERSION"]}, {env["BENCH_MACHINE"]}): `--universal --python-version FLOOR --exclude-newer {env["BENCH_EXCLUDE_NEWER"]}`, each tool with a cold cache, one run each. An environment is identical when the entries whose markers hold there (evaluated with `packaging`) are the same `name==version` set in both locks; the grid is Linux x86_64/aarch64, macOS x86_64/arm64 and Windows x64 for each CPython from the floor to 3.14. skua resolves each Python at its `.0` release, so a version whose Requires-Python excludes early patch releases (cryptography 44 and later say `!=3.9.0,!=3.9.1`) is not chosen for that Python: skua pins the newest version every 3.9 can install, where uv writes one for `python_full_version <= '3.9'` that 3.9.0 cannot install. uv's markers also name PyPy (`platform_python_implementation != 'PyPy'`); skua's grid is CPython only, so such clauses are left out.

| set | floor | requirements | result | skua | uv | skua/uv |
| --- | --- | --- | --- | --- | --- | --- |
{env["BENCH_TABLE"]}
<!-- lock-universal:end -->"""
splice(env["BENCH_DOC"], "lock-universal", section, before="install-bench")
print(section)
PY
