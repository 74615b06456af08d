#!/usr/bin/env bash
# Reproduce docs/real-world-eval.md: fetch the sdists, lay them out in proj/, lint each one.
# Usage: scripts/realworld_eval/run.sh WORKDIR [SKUA_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:?workdir}; skua=${2:-skua}
mkdir -p "$work/sd" "$work/src" "$work/proj" "$work/out"
cd "$work/sd"
python3 "$here/fetch_sdists.py" \
  apache-airflow-providers-amazon==9.39.0 apache-airflow-providers-cncf-kubernetes==10.25.0 \
  apache-airflow-providers-ssh==7.0.1 apache-airflow-providers-google==22.8.0 aws-sam-cli==1.170.0 \
  localstack-core==2026.3.0 fabric==3.2.3 sceptre==4.7.0 molecule==26.10.0 ec2instanceconnectcli==1.0.3 \
  python-jenkins==1.8.3 awscli==1.46.3 docker==7.2.0 invoke==3.0.3 ansible==14.5.0
cd "$work/src"; for f in ../sd/*.tar.gz; do tar xzf "$f"; done
cd "$work/proj"
for c in amazon/aws community/aws community/docker google/cloud community/hashi_vault kubernetes/core; do
  mv "../src/ansible-14.5.0/ansible_collections/$c" "ansible-${c//\//-}"
done
for d in ../src/*; do [ "$(basename "$d")" = ansible-14.5.0 ] || mv "$d" .; done
cd "$work"
for d in proj/*/; do b=$(basename "$d"); "$skua" lint --output-format json --exit-zero "$d" > "out/$b.json"; done
python3 "$here/classify_dep.py" out
python3 "$here/cand.py"
python3 "$here/dep_recall.py"
