#!/usr/bin/env bash
# Install elearn with its test extra into .venv, check lint and formatting, run the tests.
# Extra arguments go to pytest. ELEARN_TEST_DATABASE_URL=postgresql+psycopg://... runs the
# suite against PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e '.[test]'

# Browser tests drive Debian's Chromium; axe-core is fetched by the test fixtures through npm.
# The benchmark harness's smoke test drives Debian's wrk.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/wrk ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk >/dev/null
  else
    echo "The tests need Debian's chromium and wrk: sudo apt-get install chromium wrk" >&2
    exit 1
  fi
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
