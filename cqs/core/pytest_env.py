"""Loaded by pytest before Django's settings (see `addopts` in pyproject.toml): tests run in
development mode, so they need no secret from the environment, and hash passwords cheaply."""

import os

os.environ.setdefault("CQS_DEVELOPMENT", "1")
os.environ.setdefault("CQS_DB_CONN_MAX_AGE", "0")
# Argon2 with the smallest cost (cqs/core/hashers.py): the accounts of every test hash fast.
os.environ.setdefault("CQS_QUICK_PASSWORD_HASHING", "1")
