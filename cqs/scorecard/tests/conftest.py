"""Scorecard fixtures: the seeded plan (recreated, since transactional tests flush data
migrations) and the dossiers context's catalogue fixtures."""

import pytest

from cqs.dossiers.tests.conftest import catalog, catalog_once, draft, submitted  # noqa: F401
from cqs.scorecard.seed import load_plan


@pytest.fixture
def plan(db):
    load_plan()
