#!/usr/bin/env bash
# Scaling of the lint scanners and the include graph: each hostile input class at 1x and
# 8x its base size, timed (best of 3), with the ratio. Linear scans give about 8x; the
# acceptance bound is 10x. Results go to docs/reliability.md.
#
#   scripts/bench/scaling.sh [SCALE]     SCALE multiplies every base size (default 1)
#
# SKUA_BIN picks the binary (default: target/release/skua, built if missing); SPECS picks
# classes and base sizes (`class:size ...`, as in the default below).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${1:-1}
bin=${SKUA_BIN:-$root/target/release/skua}
if [ ! -x "$bin" ]; then
    (cd "$root" && cargo build --release -p skua >&2)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gen CLASS SIZE DIR: writes the input of CLASS at SIZE into DIR and prints the lint args.
gen() {
    python3 - "$@" <<'PY'
import os, sys
cls, size, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(os.path.join(d, ".git"), exist_ok=True)
def w(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
if cls == "url-creds":
    parts, n, i = [], 0, 0
    while n < size:
        p = "https://u:p@h%d," % i
        parts.append(p); n += len(p); i += 1
    w("x.py", 'X = "' + "".join(parts) + '"\n')
    print("x.py --output-format full")
elif cls == "pem":
    h = "-----BEGIN RSA PRIVATE KEY-----"
    w("x.py", 'X = "' + h * (size // len(h)) + '"\n')
    print("x.py --output-format full")
elif cls == "token-prefixes":
    triggers = ["glpat-", "xoxb-", "AIza-", "aws_secret", "service_account", "eyJ.", "ghp_"]
    w("x.py", "".join('V%d = "%s"\n' % (k, t * (size // len(triggers) // len(t))) for k, t in enumerate(triggers)))
    print("x.py --output-format full")
elif cls == "noqa-line":
    w("x.py", "x = 1  # noqa: " + ", ".join(["SEC001"] * (size // 8)) + "\n")
    print("x.py --extend-select NQA001 --output-format full")
elif cls == "findings-one-line":
    w("x.py", "import subprocess\n" + "; ".join(["subprocess.call(c, shell=True)"] * (size // 32)) + "\n")
    print("x.py --output-format full")
elif cls == "include-chain":
    n = size
    for i in range(n):
        w("requirements-%d.txt" % i, "-r requirements-%d.txt\n-c requirements-%d.txt\npkg%d==1.0\nfree%d\n" % (i + 1, i + 1, i, i))
    w("requirements-%d.txt" % n, "last==1.0\n")
    print(". --output-format concise")
PY
}

best_of_3() {
    local dir=$1
    shift
    local best=
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        (cd "$dir" && "$bin" lint "$@" >/dev/null 2>&1) || true
        end=$(date +%s.%N)
        best=$(python3 -c "t=$end-$start; b='$best'; print(t if not b else min(t, float(b)))")
    done
    echo "$best"
}

printf '%-18s %12s %10s %10s %7s\n' class base-size 1x-s 8x-s ratio
# class and base size (bytes, or files for the include chain)
specs=${SPECS:-url-creds:1000000 pem:1000000 token-prefixes:1000000 noqa-line:160000 findings-one-line:160000 include-chain:2000}
for spec in $specs; do
    class=${spec%%:*}
    base=$((${spec##*:} * scale))
    times=()
    for factor in 1 8; do
        dir=$work/$class-$factor
        mkdir -p "$dir"
        read -r -a args <<<"$(gen "$class" $((base * factor)) "$dir")"
        times+=("$(best_of_3 "$dir" "${args[@]}")")
        rm -rf "$dir"
    done
    python3 -c "
a, b = ${times[0]}, ${times[1]}
print('%-18s %12d %10.3f %10.3f %6.1fx' % ('$class', $base, a, b, b / a))"
done
