"""The plan's targets, the reported indicators and the Decision 766 definitions (`data/plan.json`)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cqs.scorecard.seed import load_plan

    load_plan(apps)


class Migration(migrations.Migration):
    dependencies = [("scorecard", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
