"""`manage.py load_demo`: the demo a newcomer opens has data everywhere, the Open Data Portal too."""

from io import StringIO

from django.core.management import call_command

from cqs.opendata.models import Dataset, DatasetState


def test_load_demo_publishes_the_platforms_open_datasets_and_can_run_again(db, settings):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    published = set(Dataset.objects.filter(state=DatasetState.ACTIVE, private=False).values_list("name", flat=True))
    assert published, out.getvalue()
    assert "Open data: the platform's" in out.getvalue()

    call_command("load_demo", stdout=StringIO())
    assert set(Dataset.objects.filter(state=DatasetState.ACTIVE).values_list("name", flat=True)) == published
