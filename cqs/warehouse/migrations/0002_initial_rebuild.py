"""Fill the warehouse from the dossiers already filed (a no-op on an empty database)."""

from django.db import migrations


def rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cqs.warehouse.services import warehouse_rebuild

    warehouse_rebuild()


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0001_initial"), ("dossiers", "0004_warehouse_fields")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
