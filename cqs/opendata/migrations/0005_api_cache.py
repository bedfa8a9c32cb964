"""The shared level of the CKAN read cache: answers kept by key and catalogue version in an
unlogged table, so an answer built by one web process serves the others (and survives a restart
of the web server). Unlogged: a cache need not be written to the WAL; after a crash it is empty.
"""

from django.db import migrations

FORWARD = """
CREATE UNLOGGED TABLE opendata_api_cache (
    key text PRIMARY KEY,
    version bigint NOT NULL,
    body bytea NOT NULL,
    headers jsonb NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
);
"""

BACKWARD = "DROP TABLE IF EXISTS opendata_api_cache;"


class Migration(migrations.Migration):
    dependencies = [("opendata", "0004_catalogue_version")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
