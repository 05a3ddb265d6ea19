#!/usr/bin/env bash
# Restore drill: dump the database named by DATABASE_URL (or DATA_DIR's SQLite file), restore
# it into a scratch copy, compare row counts table by table, drop the copy. Exit 0 = all match.
# The work is in restore_drill.py (needs psycopg for PostgreSQL, so the project's venv Python
# is used when there is one). Options: --target-url, --after-restore, --workdir, --jobs;
# see `scripts/restore-drill.sh --help` and docs/deploy.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$here/../.venv/bin/python}"
[ -x "$python" ] || python="$(command -v python3)"
exec "$python" "$here/restore_drill.py" "$@"
