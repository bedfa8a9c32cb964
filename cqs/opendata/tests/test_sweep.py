"""The sweep of uploaded open-data files nothing uses any more: only the open-data area's
content-addressed files, only unreferenced ones, only past the grace period."""

from __future__ import annotations

import hashlib
import io
import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from cqs.dossiers import files as dossier_files
from cqs.opendata import datastore, services
from cqs.opendata.models import Resource

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(content: bytes, *, age_hours: float) -> str:
    """Put bytes into the open-data store as an upload would, aged `age_hours`."""
    sha256 = hashlib.sha256(content).hexdigest()
    temp = Path(datastore.STORE.root.parent) / f"tmp-{sha256}"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(content)
    datastore.STORE.store(temp, sha256)
    age(datastore.STORE.path_for(sha256), age_hours)
    return sha256


def age(path: Path, hours: float) -> None:
    when = time.time() - hours * 3600
    os.utime(path, (when, when))


@pytest.fixture
def dataset(publisher):
    return services.dataset_create(
        actor=publisher.user, data={"name": "dan-so-xa", "title": "Dân số xã", "owner_org": "000-10-00-h53"}
    )


def test_an_old_orphan_goes_and_everything_else_stays(dataset, media):
    referenced = stored(b"ma_xa,dan_so\n00102,12000\n", age_hours=72)
    Resource.objects.create(dataset=dataset, file_sha256=referenced, url_type="upload", format="CSV")
    orphan = stored(b"ma_xa,dan_so\n00102,11000\n", age_hours=72)
    young = stored(b"ma_xa,dan_so\n00102,13000\n", age_hours=1)  # an upload may still be committing
    # A dossier document, in the dossiers' area of the same store, with the very bytes of an orphan.
    pdf = b"%PDF-1.7\n%\xe2\xe3 giay khai sinh\n"
    checked = dossier_files.check_upload(io.BytesIO(pdf), "giay-khai-sinh.pdf")
    dossier_files.store(checked)
    age(dossier_files.path_for(checked.sha256), 72)
    same_as_dossier = stored(pdf, age_hours=72)
    # A platform feed's CSV, kept by `feeds.py` under the open-data directory and referenced by address.
    feed = media / "opendata" / "platform" / "thu-tuc" / "0123456789abcdef-thu-tuc.csv"
    feed.parent.mkdir(parents=True)
    feed.write_bytes(b"ma,ten\n")
    age(feed, 72)

    result = services.stored_files_sweep()

    assert (result.files, result.bytes, result.dry_run) == (2, len(b"ma_xa,dan_so\n00102,11000\n") + len(pdf), False)
    assert not datastore.STORE.exists(orphan) and not datastore.STORE.exists(same_as_dossier)
    assert datastore.STORE.exists(referenced) and datastore.STORE.exists(young)
    assert dossier_files.path_for(checked.sha256).read_bytes() == pdf
    assert feed.exists()


def test_a_dry_run_counts_and_deletes_nothing(media):
    orphan = stored(b"a,b\n1,2\n", age_hours=48)
    result = services.stored_files_sweep(dry_run=True)
    assert (result.files, result.bytes, result.dry_run) == (1, 8, True)
    assert datastore.STORE.exists(orphan)


def test_the_grace_period_is_a_parameter(media):
    orphan = stored(b"a,b\n1,2\n", age_hours=2)
    assert services.stored_files_sweep().files == 0
    import datetime as dt

    assert services.stored_files_sweep(older_than=dt.timedelta(hours=1)).files == 1
    assert not datastore.STORE.exists(orphan)


def test_a_file_a_queued_validation_names_is_kept(media):
    from cqs.opendata.tasks import validate_resource

    sha256 = stored(b"a,b\n1,2\n", age_hours=48)
    validate_resource.defer(resource_id=str(uuid.uuid4()), sha256=sha256)
    assert services.stored_files_sweep().files == 0 and datastore.STORE.exists(sha256)


def test_the_bytes_of_a_deleted_resource_are_swept_unless_another_resource_shares_them(dataset, publisher):
    content = b"ma_xa,dan_so\n00102,12000\n"
    sha256 = stored(content, age_hours=48)
    first = Resource.objects.create(dataset=dataset, position=0, file_sha256=sha256, url_type="upload")
    second = Resource.objects.create(dataset=dataset, position=1, file_sha256=sha256, url_type="upload")
    services.resource_delete(actor=publisher.user, ref=str(first.pk))
    assert services.stored_files_sweep().files == 0
    services.resource_delete(actor=publisher.user, ref=str(second.pk))
    assert services.stored_files_sweep().files == 1 and not datastore.STORE.exists(sha256)


def test_the_command_reports_files_and_bytes(media):
    orphan = stored(b"a,b\n1,2\n", age_hours=3)
    out = io.StringIO()
    call_command("opendata_sweep_files", "--dry-run", "--older-than-hours", "2", stdout=out)
    assert "1 tệp" in out.getvalue() and "8 byte" in out.getvalue() and datastore.STORE.exists(orphan)
    out = io.StringIO()
    call_command("opendata_sweep_files", stdout=out)  # 24 hours by default: too young
    assert datastore.STORE.exists(orphan)
    call_command("opendata_sweep_files", "--older-than-hours", "2", stdout=out)
    assert not datastore.STORE.exists(orphan)


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_sweeps(media):
    from cqs.opendata.tasks import sweep_files

    orphan = stored(b"a,b\n1,2\n", age_hours=48)
    sweep_files(timestamp=int(time.time()))
    assert not datastore.STORE.exists(orphan)
