"""Loaded by pytest before Django's settings (see `addopts` in pyproject.toml): tests run in
development mode, so they need no secret from the environment."""

import os

os.environ.setdefault("CQS_DEVELOPMENT", "1")
os.environ.setdefault("CQS_DB_CONN_MAX_AGE", "0")
