#!/usr/bin/env bash
# The deployment test (issue 14; tests/deploy/test_deployment.py): installs Debian's PostgreSQL, PgBouncer
# and nginx, then runs the portal behind them on loopback addresses. About 3-5 minutes.
#   bash deploy/test/run.sh          (as root; .ci/run calls it after the test suite)
# Without root or apt it says so and exits 0 (nothing to run here); in CI (CI=true) that is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
need_ci_failure() { if [ "${CI:-}" = "true" ]; then echo "deploy test: $1 (required in CI)" >&2; exit 1; fi; echo "deploy test skipped: $1"; exit 0; }
[ "$(id -u)" = 0 ] || need_ci_failure "needs root"
command -v apt-get >/dev/null 2>&1 || need_ci_failure "needs apt-get (Debian)"
missing=()
for program in pgbouncer nginx openssl; do command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("$program"); done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql pgbouncer nginx-light openssl >/dev/null
fi
# Debian's packages start their own services where an init system runs; this test starts its own
# copies (own ports and folders), so those are left alone.
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
PORTAL_DEPLOY_TEST=1 timeout 900 "$PY" -m pytest -q -p no:cacheprovider -s tests/deploy "$@"
