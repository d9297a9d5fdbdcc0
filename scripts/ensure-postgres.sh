#!/usr/bin/env bash
# Makes sure the tests have a PostgreSQL: DATABASE_URL when set, else the
# local server on 127.0.0.1:5432, started if it is installed but down.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
  exit 0
fi

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if command -v pg_isready >/dev/null && ready; then
  exit 0
fi

if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  echo "starting the local PostgreSQL $version cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
fi

echo "no PostgreSQL for the tests: set DATABASE_URL, or install PostgreSQL (apt-get install postgresql) with user postgres trusted on 127.0.0.1:5432" >&2
exit 1
