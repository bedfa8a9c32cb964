#!/usr/bin/env bash
# Install everything and run every check: lint, migrations, all tests (browser tests included).
# Uses DATABASE_URL when set, otherwise the embedded PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"

if [ ! -x /usr/bin/chromium ]; then
    echo "==> Installing Debian's chromium for the browser tests"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

export CQS_DEVELOPMENT=1
echo "==> ruff"
.venv/bin/ruff check .
echo "==> migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
