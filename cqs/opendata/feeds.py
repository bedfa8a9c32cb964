"""The platform's own open datasets ("dữ liệu mở do hệ thống tự công bố"), published and refreshed
by the system, on a schedule (`tasks.publish_platform_datasets`) or by
`manage.py opendata_publish_platform`:

1. the procedure catalogue ("danh mục thủ tục hành chính"): code, name, sector, level, online
   level, fees, statutory time, agencies — no personal data;
2. monthly dossier statistics ("thống kê hồ sơ hằng tháng") per receiving agency, procedure and
   channel: dossiers filed, finished, finished on time, finished late — aggregates only;
3. the scorecard ("bảng theo dõi chỉ tiêu", `cqs.scorecard`): every target of the plan with its
   province-wide value for the last complete month — who entered a reported figure is left out.

Small-count suppression (statistical disclosure control), `CQS_OPENDATA_MIN_CELL` (default 5):
- a count from 1 to MIN_CELL - 1 is published empty ("suppressed"); zeros are published;
- finished = on time + late in every row, so when any of the three is suppressed all three are
  (otherwise the suppressed one is the difference of the other two);
- no totals or subtotals are published (no "all channels" or "all procedures" rows), so no
  suppressed cell is the difference of a published total and published cells.
Filed counts stand alone (no identity ties them to the other columns) and follow the first rule.

Each feed is one dataset of the province's data organisation (`CQS_OPENDATA_PLATFORM_ORG`, the
provincial People's Committee by default) with one CSV resource, identified by a fixed name:
rerunning updates the dataset and replaces the CSV when its content changed, never duplicates,
and writes nothing when nothing changed. Changes are audited with the system as the actor.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record, snapshot
from cqs.catalog.fees import fixed_fee_total
from cqs.catalog.models import TimeUnit
from cqs.catalog.queries import current_versions
from cqs.opendata.models import Dataset, DatasetState, Frequency, License, Resource
from cqs.org.models import Agency, AgencyKind, UnitLevel

MIN_CELL_DEFAULT = 5

PROCEDURES_DATASET = "he-thong-danh-muc-thu-tuc-hanh-chinh"
STATISTICS_DATASET = "he-thong-thong-ke-ho-so-hang-thang"
SCORECARD_DATASET = "he-thong-chi-tieu-chinh-quyen-so"

PROCEDURE_COLUMNS = [
    "ma_thu_tuc",
    "ma_quoc_gia",
    "ten_thu_tuc",
    "ma_linh_vuc",
    "ten_linh_vuc",
    "cap_thuc_hien",
    "muc_do_truc_tuyen",
    "phi_le_phi_dong",
    "thoi_han_giai_quyet",
    "don_vi_thoi_han",
    "co_quan_thuc_hien",
]
STATISTICS_COLUMNS = [
    "thang",
    "ma_co_quan",
    "ten_co_quan",
    "ma_thu_tuc",
    "hinh_thuc_nop",
    "so_ho_so_tiep_nhan",
    "so_ho_so_giai_quyet",
    "so_giai_quyet_dung_han",
    "so_giai_quyet_tre_han",
]
SCORECARD_COLUMNS = [
    "ky",
    "ma_chi_tieu",
    "ten_chi_tieu",
    "nam_muc_tieu",
    "gia_tri_muc_tieu",
    "don_vi_tinh",
    "gia_tri_hien_tai",
    "trang_thai",
    "tinh_tu_he_thong",
    "nguon",
]


def min_cell() -> int:
    return int(getattr(settings, "CQS_OPENDATA_MIN_CELL", MIN_CELL_DEFAULT))


def suppress(value: int, threshold: int) -> int | None:
    """A count as published: None (an empty cell) when it is small enough to identify someone."""
    return None if 0 < value < threshold else value


# --- Feed contents -----------------------------------------------------------------------------


def procedure_catalogue_rows(on: dt.date | None = None) -> list[list[object]]:
    """The procedures in force: what a citizen needs to know before filing, no personal data."""
    unit_names = {TimeUnit.WORKING_DAYS: "ngày làm việc", TimeUnit.CALENDAR_DAYS: "ngày", TimeUnit.WORKING_HOURS: "giờ"}
    rows = []
    for v in current_versions(on).prefetch_related("agencies").order_by("procedure__code"):
        rows.append(
            [
                v.procedure.code,
                v.procedure.national_code,
                v.name,
                v.sector.code,
                v.sector.name,
                "|".join(v.levels),
                v.online_level,
                fixed_fee_total(v.fees),
                v.processing_time,
                unit_names.get(v.processing_unit, v.processing_unit),
                "|".join(sorted(f"{a.code} {a.name}" for a in v.agencies.all())),
            ]
        )
    return rows


def dossier_statistics_rows(*, until: dt.date, threshold: int) -> list[list[object]]:
    """Monthly counts per receiving agency, procedure and channel, for the months before `until`'s
    month, suppressed as the module's rule says. Filed counts by month of submission; finished,
    on time and late by month of finishing."""
    from cqs.dossiers.models import Dossier

    end = timezone.make_aware(dt.datetime(until.year, until.month, 1))
    keys = ("receiving_agency__code", "receiving_agency__name", "procedure_version__procedure__code", "channel")
    filed = (
        Dossier.objects.filter(submitted_at__isnull=False, submitted_at__lt=end)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month", *keys)
        .annotate(n=Count("pk"))
    )
    finished = (
        Dossier.objects.filter(finished_at__isnull=False, finished_at__lt=end)
        .annotate(month=TruncMonth("finished_at"))
        .values("month", *keys)
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(finished_at__gt=F("due_at"))),
        )
    )
    cells: dict[tuple, list[int]] = {}
    for row in filed:
        cells.setdefault((row["month"].date(), *(row[k] for k in keys)), [0, 0, 0, 0])[0] = row["n"]
    for row in finished:
        cell = cells.setdefault((row["month"].date(), *(row[k] for k in keys)), [0, 0, 0, 0])
        cell[1:] = [row["n"], row["on_time"], row["late"]]
    rows = []
    for (month, agency_code, agency_name, procedure, channel), (n_filed, n_done, on_time, late) in sorted(
        cells.items()
    ):
        done = [suppress(n, threshold) for n in (n_done, on_time, late)]
        if None in done:  # finished = on time + late: one hidden, all hidden
            done = [None, None, None]
        rows.append(
            [month.strftime("%Y-%m"), agency_code, agency_name, procedure, channel, suppress(n_filed, threshold), *done]
        )
    return rows


def scorecard_rows(*, until: dt.date) -> list[list[object]]:
    """The plan's targets, province-wide, for the month before `until`'s month."""
    from cqs.scorecard.queries import parse_period, parse_unit, scorecard

    last_month = until.replace(day=1) - dt.timedelta(days=1)
    period = parse_period(f"{last_month.year}-{last_month.month:02d}")
    card = scorecard(period=period, unit=parse_unit("province"))
    return [
        [
            f"{last_month.year}-{last_month.month:02d}",
            t.code,
            t.title,
            t.year,
            t.target_value,
            t.unit_label,
            "" if t.current is None else t.current,
            t.status,
            "1" if t.computed else "0",
            t.reported_source or t.source,
        ]
        for t in card.targets
    ]


def _csv(columns: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue().encode("utf-8")


# --- Publishing --------------------------------------------------------------------------------


@dataclass
class Feed:
    name: str
    title: str
    notes: str
    tags: list[str]
    frequency: str
    resource_name: str
    content: Callable[[dt.date], bytes]


def platform_feeds() -> list[Feed]:
    threshold = min_cell()
    return [
        Feed(
            name=PROCEDURES_DATASET,
            title="Danh mục thủ tục hành chính",
            notes=(
                "Các thủ tục hành chính đang có hiệu lực trên Chính Quyền Số: mã, tên, lĩnh vực, cấp thực hiện, "
                "mức độ dịch vụ công trực tuyến, phí và lệ phí cố định (đồng), thời hạn giải quyết, cơ quan thực "
                "hiện. Hệ thống tự cập nhật hằng ngày."
            ),
            tags=["thủ tục hành chính", "dịch vụ công"],
            frequency=Frequency.DAILY,
            resource_name="danh-muc-thu-tuc.csv",
            content=lambda today: _csv(PROCEDURE_COLUMNS, procedure_catalogue_rows(today)),
        ),
        Feed(
            name=STATISTICS_DATASET,
            title="Thống kê hồ sơ thủ tục hành chính hằng tháng",
            notes=(
                "Số hồ sơ tiếp nhận (theo tháng nộp), giải quyết, giải quyết đúng hạn và trễ hạn (theo tháng "
                "giải quyết) theo cơ quan tiếp nhận, thủ tục và hình thức nộp (1 trực tiếp, 2 bưu chính, "
                f"3 trực tuyến). Chỉ số liệu tổng hợp; ô có từ 1 đến {threshold - 1} hồ sơ để trống để không "
                "nhận diện được cá nhân, và khi một trong ba cột giải quyết, đúng hạn, trễ hạn để trống thì cả "
                "ba để trống; không công bố dòng tổng."
            ),
            tags=["thủ tục hành chính", "thống kê", "hồ sơ"],
            frequency=Frequency.MONTHLY,
            resource_name="thong-ke-ho-so-hang-thang.csv",
            content=lambda today: _csv(STATISTICS_COLUMNS, dossier_statistics_rows(until=today, threshold=threshold)),
        ),
        Feed(
            name=SCORECARD_DATASET,
            title="Chỉ tiêu chuyển đổi số và cải cách hành chính",
            notes=(
                "Các chỉ tiêu của kế hoạch với mục tiêu, giá trị toàn tỉnh của tháng gần nhất đã kết thúc "
                "(tính từ hệ thống hoặc theo số liệu báo cáo) và tình trạng đạt, chưa đạt."
            ),
            tags=["chỉ tiêu", "chuyển đổi số", "cải cách hành chính"],
            frequency=Frequency.MONTHLY,
            resource_name="chi-tieu.csv",
            content=lambda today: _csv(SCORECARD_COLUMNS, scorecard_rows(until=today)),
        ),
    ]


def platform_agency() -> Agency:
    """The province's data organisation: `CQS_OPENDATA_PLATFORM_ORG` (an agency code), or the
    provincial People's Committee."""
    code = getattr(settings, "CQS_OPENDATA_PLATFORM_ORG", "")
    if code:
        return Agency.objects.get(code=code)
    return (
        Agency.objects.filter(level=UnitLevel.PROVINCE, kind=AgencyKind.PEOPLES_COMMITTEE, parent__isnull=True)
        .order_by("code")
        .first()
        or Agency.objects.order_by("code").first()
    )


def _publish(feed: Feed, *, agency: Agency, today: dt.date) -> str:
    """Create or refresh one feed's dataset and CSV; "created", "updated" or "unchanged"."""
    content = feed.content(today)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(name=feed.name).first()
        created = dataset is None
        before = None if created else snapshot(dataset)
        dataset = dataset or Dataset(name=feed.name)
        dataset.title, dataset.notes, dataset.tags = feed.title, feed.notes, feed.tags
        dataset.owner_org, dataset.license_id, dataset.frequency = agency, License.CC_BY, feed.frequency
        dataset.state, dataset.private = DatasetState.ACTIVE, False
        dataset.maintainer = agency.name
        dataset.extras = {**dataset.extras, "publisher": "system"}
        resource = None if created else dataset.resources.order_by("position").first()
        changed = created or before != snapshot(dataset)
        if resource is not None and resource.hash == f"sha256:{digest}" and not changed:
            return "unchanged"
        dataset.save()
        audit_record(
            actor=None,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            instance=dataset,
            before=before,
            after=snapshot(dataset),
        )
        if resource is None or resource.hash != f"sha256:{digest}":
            path = f"opendata/platform/{feed.name}/{digest[:16]}-{feed.resource_name}"
            if not default_storage.exists(path):
                path = default_storage.save(path, ContentFile(content))
            resource_before = snapshot(resource) if resource else None
            resource = resource or Resource(dataset=dataset, position=0)
            resource.name, resource.format, resource.mimetype = feed.resource_name, "CSV", "text/csv"
            resource.url, resource.url_type = default_storage.url(path), "upload"
            resource.size, resource.hash, resource.last_modified = len(content), f"sha256:{digest}", timezone.now()
            resource.save()
            audit_record(
                actor=None,
                action=AuditAction.UPDATE if resource_before else AuditAction.CREATE,
                instance=resource,
                before=resource_before,
                after=snapshot(resource),
            )
    return "created" if created else "updated"


def publish_platform_datasets(*, today: dt.date | None = None) -> dict[str, str]:
    """Publish or refresh every platform feed; returns each dataset's name and what happened."""
    today = today or timezone.localdate()
    agency = platform_agency()
    return {feed.name: _publish(feed, agency=agency, today=today) for feed in platform_feeds()}
