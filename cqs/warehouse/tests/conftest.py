"""The dossiers context's fixtures (a small catalogue, a draft) reused by the warehouse tests."""

from cqs.dossiers.tests.conftest import catalog, catalog_once, draft, submitted  # noqa: F401
