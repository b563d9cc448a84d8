#!/usr/bin/env bash
# Sets up the virtual environment and runs the whole test suite: lint, types, the import wall,
# Django's checks, then the tests (engine, connectors, KPIs, the PySpark parity test, the web app
# and its browser tests) on SQLite, and the web tests again on PostgreSQL; the slow end-to-end
# tests run in the PostgreSQL pass only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# Keep bytecode: with PYTHONDONTWRITEBYTECODE set (as on some machines), every test subprocess
# and every worker of each pass compiles the sources (and pytest rewrites the tests) again.
unset PYTHONDONTWRITEBYTECODE
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'
PG_URL=${CALLGRADE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
echo "== translations"; .venv/bin/python -m callgrade.web.i18n_build
echo "== ruff"; .venv/bin/ruff check src tests bench
echo "== ruff format"; .venv/bin/ruff format --check src tests bench
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== django checks"
export DJANGO_SETTINGS_MODULE=callgrade.web.settings
DATABASE_URL=sqlite:///:memory: .venv/bin/python -m callgrade.web.manage makemigrations --check --dry-run >/dev/null
CALLGRADE_PRODUCTION=1 CALLGRADE_SECRET_KEY=check-only-"$(head -c 32 /dev/urandom | base64)" \
  CALLGRADE_ALLOWED_HOSTS=callgrade.example.com \
  DATABASE_URL=sqlite:///:memory: .venv/bin/python -m callgrade.web.manage check --deploy --fail-level WARNING
# Slow end-to-end tests (marked ``once``: the browser tests, the API fuzzer) run in one pass
# only — the PostgreSQL one, the production database, when it is reachable — to keep the whole
# command under ten minutes.
if .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1]).close()" "$PG_URL" 2>/dev/null; then
  echo "== pytest (SQLite, without the once-only end-to-end tests)"
  .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" --durations=30 -m "not once" "$@"
  echo "== pytest web (PostgreSQL, with the browser tests and the API fuzzer)"
  DATABASE_URL="$PG_URL" .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" --durations=30 tests/web
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_URL: the web tests must run on it in CI" >&2; exit 1
else
  echo "PostgreSQL is not reachable at $PG_URL: the whole suite runs on SQLite only (CI fails here)" >&2
  echo "== pytest (SQLite)"; .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" "$@"
fi
