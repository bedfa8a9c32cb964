from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

UNACCENT_FUNCTION = """
CREATE OR REPLACE FUNCTION cqs_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(UNACCENT_FUNCTION, "DROP FUNCTION IF EXISTS cqs_unaccent(text);"),
    ]
