#!/usr/bin/env bash
# Lock a set of real DevOps requirement sets with skua and with `uv pip compile` using the
# same target and cutoff, and report whether they pin the same versions. Writes a table to
# docs/benchmarks.md between the lock-accuracy markers. Needs network access to PyPI.
#
# Environment knobs: SKIP_BUILD=1, BENCH_VENV, SKUA_BIN, BENCH_DOC, EXCLUDE_NEWER,
# INSTALL_CHECK=1 (also sync each lock into a fresh venv and run `pip check` on it).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TMP_BASE="${TMPDIR:-/tmp}"
BENCH_VENV="${BENCH_VENV:-$TMP_BASE/skua-bench-venv}"
DOC="${BENCH_DOC:-$REPO_ROOT/docs/benchmarks.md}"
SKUA="${SKUA_BIN:-$REPO_ROOT/target/release/skua}"
EXCLUDE_NEWER="${EXCLUDE_NEWER:-2026-11-01T00:00:00Z}"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
    (cd "$REPO_ROOT" && cargo build --release)
fi
if [ ! -x "$BENCH_VENV/bin/uv" ]; then
    (unset PIP_FIND_LINKS; [ -x "$BENCH_VENV/bin/python" ] || python3 -m venv "$BENCH_VENV"; "$BENCH_VENV/bin/pip" install -q uv)
fi
UV="$BENCH_VENV/bin/uv"
WORK="$(mktemp -d "$TMP_BASE/skua-accuracy.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# One set per line: a name, then the requirements.
cat > "$WORK/sets" <<'SETS'
aws-ops boto3 botocore awscli
k8s-ops kubernetes openshift pyyaml
devops boto3 kubernetes requests pyyaml ansible-core
ansible ansible
pulumi pulumi pulumi-aws
gcp google-cloud-storage google-cloud-secret-manager google-auth
azure azure-identity azure-mgmt-compute azure-storage-blob
fabric fabric invoke paramiko
airflow-lite apache-airflow-providers-amazon
vault hvac python-dotenv click
docker docker requests tenacity
terraform-glue python-terraform jinja2 boto3
monitoring prometheus-client datadog sentry-sdk
slack-bots slack-sdk slack-bolt aiohttp
web-ops fastapi uvicorn httpx pydantic-settings
conflict boto3==1.28.0 botocore==1.34.0
backtracking boto3 botocore<1.31 kubernetes
airflow apache-airflow[amazon,cncf.kubernetes,postgres,http]==2.10.*
dagster dagster dagster-aws dagster-k8s
prefect prefect
mlflow mlflow
direct-url six@https://files.pythonhosted.org/packages/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl#sha256=8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254 python-dateutil kubernetes
SETS
# A local project (static metadata, as most are), as a path and as an editable; written
# here since it lives in the work directory. EDITABLE: stands for `-e ` in the set list.
mkdir -p "$WORK/proj/bench_local_app"
cat > "$WORK/proj/pyproject.toml" <<'TOML'
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "bench-local-app"
version = "0.1.0"
dependencies = ["boto3", "requests>=2.31", "kubernetes"]
TOML
touch "$WORK/proj/bench_local_app/__init__.py"
echo "local-path $WORK/proj pyyaml" >> "$WORK/sets"
echo "local-editable EDITABLE:$WORK/proj click" >> "$WORK/sets"
# The same project as a git repository, referenced by tag (both tools pin the commit).
git -C "$WORK" init -q -b main repo
cp -r "$WORK/proj/." "$WORK/repo/"
git -C "$WORK/repo" add -A
git -C "$WORK/repo" -c user.name=bench -c user.email=bench@example.invalid commit -q -m app
git -C "$WORK/repo" tag v0.1.0
echo "vcs bench-local-app@git+file://$WORK/repo@v0.1.0 pyyaml" >> "$WORK/sets"

TARGET=(--python-version 3.11 --python-platform x86_64-manylinux_2_28 --exclude-newer "$EXCLUDE_NEWER")
rows=()
same=0
total=0
while read -r name reqs; do
    printf '%s\n' $reqs | sed 's/^EDITABLE:/-e /' > "$WORK/$name.in"
    set +e
    "$SKUA" lock "$WORK/$name.in" -o "$WORK/$name.skua.txt" "${TARGET[@]}" --quiet 2>"$WORK/$name.skua.err"
    skua_rc=$?
    "$UV" pip compile "$WORK/$name.in" --generate-hashes "${TARGET[@]}" -o "$WORK/$name.uv.txt" --quiet 2>"$WORK/$name.uv.err"
    uv_rc=$?
    set -e
    total=$((total + 1))
    if [ "$skua_rc" -ne 0 ] || [ "$uv_rc" -ne 0 ]; then
        if [ "$skua_rc" -ne 0 ] && [ "$uv_rc" -ne 0 ]; then
            verdict="both fail (skua exit $skua_rc, uv exit $uv_rc)"
            same=$((same + 1))
        else
            verdict="skua exit $skua_rc, uv exit $uv_rc: $(head -c 200 "$WORK/$name.skua.err" | tr '\n' ' ')"
        fi
    else
        # Version pins only: a local project is written as given by uv (its path) and as
        # `name @ file:///…` by skua, which is the same entry; a git entry is compared by
        # its commit.
        pins() { grep -E '^[A-Za-z0-9]' "$1" | grep -v ' @ file:' | sed -E 's#^([^ ]+) @ git\+[^@]+@([0-9a-f]+).*#\1@\2#' | cut -d' ' -f1 | sed 's/\[[^]]*\]//' | tr 'A-Z' 'a-z' | sort; }
        if diff <(pins "$WORK/$name.skua.txt") <(pins "$WORK/$name.uv.txt") > "$WORK/$name.diff"; then
            verdict="identical ($(pins "$WORK/$name.skua.txt" | wc -l) pins)"
            same=$((same + 1))
        else
            verdict="differ: $(grep -E '^[<>]' "$WORK/$name.diff" | tr '\n' ' ' | head -c 300)"
        fi
    fi
    # INSTALL_CHECK=1: the lock installs with its hashes checked into a fresh venv of
    # this machine's python3 (a 3.11 target), and `pip check` finds the closure complete.
    if [ "${INSTALL_CHECK:-0}" = "1" ] && [ "$skua_rc" -eq 0 ]; then
        venv="$WORK/venv-$name"
        if "$SKUA" venv "$venv" --quiet 2>"$WORK/$name.venv.err" \
            && "$SKUA" sync "$WORK/$name.skua.txt" --python "$venv" --quiet 2>"$WORK/$name.sync.err" \
            && "$BENCH_VENV/bin/pip" --python "$venv/bin/python" check >"$WORK/$name.check" 2>&1; then
            verdict="$verdict; installs, pip check clean"
        else
            verdict="$verdict; INSTALL CHECK FAILED: $(cat "$WORK/$name.sync.err" "$WORK/$name.check" 2>/dev/null | head -c 200 | tr '\n' ' ')"
        fi
        rm -rf "$venv"
    fi
    shown="${reqs//$WORK/.}"
    rows+=("| $name | \`${shown//EDITABLE:/-e }\` | $verdict |")
    echo "$name: $verdict" >&2
done < "$WORK/sets"

table=$(printf '%s\n' "${rows[@]}")
export BENCH_DOC="$DOC" BENCH_TABLE="$table" BENCH_SAME="$same" BENCH_TOTAL="$total" \
    BENCH_UV_VERSION="$("$UV" --version)" BENCH_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD)" \
    BENCH_EXCLUDE_NEWER="$EXCLUDE_NEWER"
if [ "${INSTALL_CHECK:-0}" = "1" ]; then
    export BENCH_INSTALL_NOTE=" Each skua lock was also synced (hashes checked) into a fresh venv of this machine's Python $(python3 -c 'import platform; print(platform.python_version())') and checked with \`pip check\`."
fi
PYTHONPATH="$SCRIPT_DIR" python3 - <<'PY'
import datetime, os

from benchdoc import splice

env = os.environ
section = f"""<!-- lock-accuracy:start -->
## Lock accuracy: skua vs uv

Generated by `scripts/bench/lock-accuracy.sh` on {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")} (skua at git {env["BENCH_REV"]}, {env["BENCH_UV_VERSION"]}): both resolve for Python 3.11 on x86_64-manylinux_2_28 with `--exclude-newer {env["BENCH_EXCLUDE_NEWER"]}`. **{env["BENCH_SAME"]} of {env["BENCH_TOTAL"]} sets agree.**{env.get("BENCH_INSTALL_NOTE", "")}

| set | requirements | result |
| --- | --- | --- |
{env["BENCH_TABLE"]}
<!-- lock-accuracy:end -->"""
splice(env["BENCH_DOC"], "lock-accuracy", section)
print(section)
PY
