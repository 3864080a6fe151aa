#!/usr/bin/env bash
# Runs the example app's test suite with whichever python3 on this machine has
# Flask, Flask-SQLAlchemy, Flask-Migrate and pytest (Debian: see README.md).
# Extra arguments go to pytest, e.g. ./run-tests.sh -m unit
set -euo pipefail
cd "$(dirname "$0")"
need='import flask, flask_sqlalchemy, flask_migrate, pytest'
for py in "${PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$py" ] || continue
  if "$py" -c "$need" 2>/dev/null; then
    exec "$py" -m pytest -p no:cacheprovider "$@"
  fi
done
echo "run-tests.sh: no python3 with Flask, Flask-SQLAlchemy, Flask-Migrate and pytest found." >&2
echo "Install them: apt-get install -y python3-flask python3-flask-sqlalchemy python3-flask-migrate python3-pytest python3-pytest-cov" >&2
echo "(or: pip install -r requirements-dev.txt)" >&2
exit 1
