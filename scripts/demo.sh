#!/usr/bin/env bash
# Sets up the virtual environment, generates the demo call center (unless DATA_DIR already holds
# data), ingests it through the real connectors, prints the KPI tables, grades it, seeds the web
# app (a published cycle and one login per role, printed) and serves it on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
exec .venv/bin/callgrade demo --data-dir "${DATA_DIR:-data}" --serve "$@"
