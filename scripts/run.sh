#!/usr/bin/env bash
# Install everything and run the platform on the embedded PostgreSQL with demo data.
# Usage: scripts/run.sh [--port 8000] [--host 127.0.0.1] [--no-demo]
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
export CQS_DEMO="${CQS_DEMO:-1}"
exec .venv/bin/python -m cqs.cli run "$@"
