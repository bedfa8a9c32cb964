"""The platform's own datasets: aggregates only, small counts suppressed so that they cannot be
recovered, refreshed without duplicates, audited as the system."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from cqs.audit.models import AuditEvent
from cqs.catalog.services import catalog_import
from cqs.dossiers.models import Dossier
from cqs.opendata import feeds
from cqs.opendata.models import Dataset, Resource
from tests.catalog_samples import BIRTH, ENTERPRISE, catalog_document

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 3, 10)
PERSONAL = {"applicant_name", "applicant_identity", "applicant_phone", "applicant_email", "applicant_address"}


@pytest.fixture
def platform(personas, org, settings):
    settings.CQS_OPENDATA_MIN_CELL = 5
    settings.CQS_OPENDATA_PLATFORM_ORG = org.justice.code
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH, ENTERPRISE))
    return org


def _dossiers(personas, agency, code, *, channel, n, filed, finished=None, late=0):
    """`n` dossiers of procedure `code` filed at `filed`; finished at `finished` if given, the
    first `late` of them after their due date."""
    from cqs.catalog.queries import version_in_force

    version = version_in_force(code, dt.date(2026, 1, 1))
    rows = []
    start = Dossier.objects.count()
    for i in range(n):
        due = filed + dt.timedelta(days=5)
        rows.append(
            Dossier(
                code=f"T-{start + i:06d}",
                procedure_version=version,
                applicant=personas.citizen,
                applicant_name="Nguyễn Thị Hồng Nhung",
                applicant_identity="079123456789",
                receiving_agency=agency,
                channel=channel,
                status="returned" if finished else "processing",
                created_by=personas.citizen,
                submitted_at=filed,
                due_at=due,
                finished_at=(due + dt.timedelta(days=1) if i < late else finished) if finished else None,
            )
        )
    Dossier.objects.bulk_create(rows)


def _read(name: str) -> list[dict[str, str]]:
    resource = Resource.objects.get(dataset__name=name)
    path = resource.url.split(default_storage.base_url, 1)[-1] if default_storage.base_url else resource.url
    with default_storage.open(path) as f:
        return list(csv.DictReader(io.StringIO(f.read().decode("utf-8"))))


@pytest.mark.django_db
def test_statistics_suppress_small_counts_and_their_complements(platform, personas):
    jan = dt.datetime(2026, 1, 12, 9, tzinfo=VN)
    # 12 online birth registrations at committee A in January, 9 finished (2 late): 2 is small,
    # so finished and on time are hidden with it (finished - on time would reveal it).
    _dossiers(personas, platform.committee_a, "1.001193", channel=3, n=2, filed=jan, finished=jan, late=2)
    _dossiers(personas, platform.committee_a, "1.001193", channel=3, n=7, filed=jan, finished=jan)
    _dossiers(personas, platform.committee_a, "1.001193", channel=3, n=3, filed=jan)
    # 3 at the counter: filed is suppressed.
    _dossiers(personas, platform.committee_a, "1.001193", channel=1, n=3, filed=jan)
    # 6 at committee B, all finished on time: published in full, zero late shown as 0.
    _dossiers(personas, platform.committee_b, "1.001193", channel=3, n=6, filed=jan, finished=jan)
    # This month's dossiers are not published until the month is over.
    _dossiers(personas, platform.committee_b, "1.001193", channel=3, n=8, filed=dt.datetime(2026, 3, 2, tzinfo=VN))

    feeds.publish_platform_datasets(today=TODAY)
    rows = _read(feeds.STATISTICS_DATASET)

    assert set(rows[0]) == set(feeds.STATISTICS_COLUMNS) and not PERSONAL & set(rows[0])
    by_key = {(r["ma_co_quan"], r["hinh_thuc_nop"]): r for r in rows}
    assert len(rows) == 3 and {r["thang"] for r in rows} == {"2026-01"}
    online_a = by_key[(platform.committee_a.code, "3")]
    assert online_a["so_ho_so_tiep_nhan"] == "12"
    assert [online_a[c] for c in feeds.STATISTICS_COLUMNS[6:]] == ["", "", ""]
    assert by_key[(platform.committee_a.code, "1")]["so_ho_so_tiep_nhan"] == ""
    b = by_key[(platform.committee_b.code, "3")]
    assert [b[c] for c in feeds.STATISTICS_COLUMNS[5:]] == ["6", "6", "6", "0"]
    assert "Nguyễn" not in str(rows) and "079123456789" not in str(rows)


@pytest.mark.django_db
def test_the_threshold_is_a_setting(platform, personas, settings):
    settings.CQS_OPENDATA_MIN_CELL = 2
    jan = dt.datetime(2026, 1, 12, 9, tzinfo=VN)
    _dossiers(personas, platform.committee_a, "1.001193", channel=1, n=3, filed=jan)
    feeds.publish_platform_datasets(today=TODAY)
    assert _read(feeds.STATISTICS_DATASET)[0]["so_ho_so_tiep_nhan"] == "3"


@pytest.mark.django_db
def test_procedure_catalogue_lists_procedures_without_personal_data(platform, personas):
    feeds.publish_platform_datasets(today=TODAY)
    rows = _read(feeds.PROCEDURES_DATASET)
    assert list(rows[0]) == feeds.PROCEDURE_COLUMNS
    assert {r["ma_thu_tuc"] for r in rows} == {BIRTH["code"], ENTERPRISE["code"]}
    dataset = Dataset.objects.get(name=feeds.PROCEDURES_DATASET)
    assert dataset.owner_org == platform.justice and not dataset.private


@pytest.mark.django_db
def test_rerunning_updates_without_duplicates_and_is_audited_as_the_system(platform, personas):
    assert set(feeds.publish_platform_datasets(today=TODAY).values()) == {"created"}
    assert set(feeds.publish_platform_datasets(today=TODAY).values()) == {"unchanged"}
    events = AuditEvent.objects.count()
    jan = dt.datetime(2026, 1, 12, 9, tzinfo=VN)
    _dossiers(personas, platform.committee_b, "1.001193", channel=3, n=6, filed=jan, finished=jan)
    outcomes = feeds.publish_platform_datasets(today=TODAY)
    assert outcomes[feeds.PROCEDURES_DATASET] == "unchanged"
    assert outcomes[feeds.STATISTICS_DATASET] == "updated"
    assert Dataset.objects.filter(name__in=outcomes).count() == 3
    assert Resource.objects.filter(dataset__name__in=outcomes).count() == 3
    assert len(_read(feeds.STATISTICS_DATASET)) == 1
    new = AuditEvent.objects.order_by("pk")[events:]
    assert new and all(e.actor_id is None for e in new)


@pytest.mark.django_db
def test_the_command_publishes(platform, capsys):
    call_command("opendata_publish_platform")
    assert f"{feeds.STATISTICS_DATASET}: created" in capsys.readouterr().out


@pytest.mark.django_db
def test_scorecard_feed_lists_every_target_without_who_entered_it(platform):
    from cqs.scorecard.models import Target

    feeds.publish_platform_datasets(today=TODAY)
    rows = _read(feeds.SCORECARD_DATASET)
    assert rows and len(rows) == Target.objects.count()  # the plan's targets are seeded by migration
    assert list(rows[0]) == feeds.SCORECARD_COLUMNS
    assert {r["ky"] for r in rows} == {"2026-02"}
