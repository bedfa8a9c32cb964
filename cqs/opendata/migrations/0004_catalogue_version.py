"""The catalogue's version: a number that changes whenever anything a CKAN read answer is built
from changes, so a cached answer (`cqs.opendata.cache`) can tell whether it still holds.

Why triggers rather than bumping it in the services: a change made anywhere (a service, the
admin, a migration, a bulk load, a test's flush) must invalidate the cache, or the portal would
serve a stale answer. Why BEFORE STATEMENT: the version row is locked before the statement
touches any catalogue row, so catalogue writers queue on one lock in one order and cannot
deadlock on each other. Why a sequence: `nextval` is never rolled back, so a rolled-back change
cannot leave a version number that later means different data.
"""

from django.db import migrations

TABLES = (
    "opendata_dataset",
    "opendata_resource",
    "opendata_group",
    "opendata_dataset_groups",
    "org_agency",
    "org_administrativeunit",
)

SETUP = """
CREATE SEQUENCE opendata_catalogue_version_seq;
CREATE TABLE opendata_catalogue_version (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO opendata_catalogue_version (id, version) VALUES (1, nextval('opendata_catalogue_version_seq'));

CREATE FUNCTION cqs_opendata_catalogue_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE opendata_catalogue_version SET version = nextval('opendata_catalogue_version_seq') WHERE id = 1;
    RETURN NULL;
END $$;
"""
TRIGGER = (
    "CREATE TRIGGER catalogue_version_bump BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION cqs_opendata_catalogue_changed();\n"
)
FORWARD = SETUP + "".join(TRIGGER.format(table=table) for table in TABLES)

BACKWARD = (
    "".join(f"DROP TRIGGER IF EXISTS catalogue_version_bump ON {table};\n" for table in TABLES)
    + """
DROP FUNCTION IF EXISTS cqs_opendata_catalogue_changed();
DROP TABLE IF EXISTS opendata_catalogue_version;
DROP SEQUENCE IF EXISTS opendata_catalogue_version_seq;
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0003_search_vector"),
        ("org", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
