"""The Open Data Portal ("Cổng dữ liệu mở"): groups, datasets and their resources.

Organisations are the agencies of `cqs.org` (CKAN's `owner_org`); the CKAN Action API
(`ckan_api.py`) exposes these models under CKAN's names.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from cqs.core.search import Normalized

# CKAN's rule for dataset, group and organisation names: 2–100 lowercase alphanumerics, - and _.
NAME_PATTERN = r"^[a-z0-9_-]{2,100}$"
name_validator = RegexValidator(
    NAME_PATTERN, _("Tên định danh chỉ gồm chữ thường không dấu, chữ số, '-' và '_' (2–100 ký tự).")
)


class License(models.TextChoices):
    """The open licences a dataset may carry (CKAN's default licence ids)."""

    CC_BY = "cc-by", _("Creative Commons Attribution 4.0")
    CC_BY_SA = "cc-by-sa", _("Creative Commons Attribution Share-Alike 4.0")
    CC_ZERO = "cc-zero", _("Creative Commons CCZero")
    ODC_BY = "odc-by", _("Open Data Commons Attribution License")
    ODC_ODBL = "odc-odbl", _("Open Data Commons Open Database License (ODbL)")
    ODC_PDDL = "odc-pddl", _("Open Data Commons Public Domain Dedication and License (PDDL)")
    OTHER_OPEN = "other-open", _("Giấy phép mở khác")
    NOT_SPECIFIED = "notspecified", _("Chưa xác định giấy phép")


LICENSE_URLS = {
    License.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    License.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    License.CC_ZERO: "https://creativecommons.org/publicdomain/zero/1.0/",
    License.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
    License.ODC_ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    License.ODC_PDDL: "https://opendatacommons.org/licenses/pddl/1-0/",
    License.OTHER_OPEN: "",
    License.NOT_SPECIFIED: "",
}


class Frequency(models.TextChoices):
    """How often a dataset is refreshed (the EU frequency vocabulary's common terms)."""

    CONTINUOUS = "continuous", _("Liên tục")
    DAILY = "daily", _("Hằng ngày")
    WEEKLY = "weekly", _("Hằng tuần")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    ANNUAL = "annual", _("Hằng năm")
    IRREGULAR = "irregular", _("Không định kỳ")
    NEVER = "never", _("Không cập nhật")


class DatasetState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    ACTIVE = "active", _("Đang công bố")
    DELETED = "deleted", _("Đã xoá")


class Group(models.Model):
    """A theme ("chủ đề") datasets of any organisation may belong to (CKAN's group)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("tên định danh"), max_length=100, unique=True, validators=[name_validator])
    title = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    image_url = models.URLField(_("ảnh"), blank=True)
    created = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chủ đề dữ liệu")
        verbose_name_plural = _("chủ đề dữ liệu")

    def __str__(self) -> str:
        return self.title


class Dataset(models.Model):
    """A dataset ("bộ dữ liệu") published by an agency: its metadata and its resources."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("tên định danh"), max_length=100, unique=True, validators=[name_validator])
    title = models.CharField(_("tên"), max_length=500)
    notes = models.TextField(_("mô tả"), blank=True)
    tags = ArrayField(models.CharField(max_length=100), default=list, blank=True, verbose_name=_("từ khoá"))
    license_id = models.CharField(_("giấy phép"), max_length=20, choices=License.choices, default=License.NOT_SPECIFIED)
    owner_org = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="datasets", verbose_name=_("cơ quan công bố")
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="datasets", verbose_name=_("chủ đề"))
    url = models.URLField(_("trang nguồn"), blank=True)
    author = models.CharField(_("tác giả"), max_length=255, blank=True)
    author_email = models.EmailField(_("thư điện tử tác giả"), blank=True)
    maintainer = models.CharField(_("người duy trì"), max_length=255, blank=True)
    maintainer_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    temporal_start = models.DateField(_("thời gian từ"), null=True, blank=True)
    temporal_end = models.DateField(_("thời gian đến"), null=True, blank=True)
    spatial = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phạm vi địa lý"),
    )
    frequency = models.CharField(_("tần suất cập nhật"), max_length=20, choices=Frequency.choices, blank=True)
    version = models.CharField(_("phiên bản"), max_length=100, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=DatasetState.choices, default=DatasetState.ACTIVE)
    private = models.BooleanField(_("riêng tư"), default=False)
    extras = models.JSONField(_("thuộc tính bổ sung"), default=dict, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    metadata_created = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    metadata_modified = models.DateTimeField(_("ngày sửa"), auto_now=True)
    search_title = models.GeneratedField(
        expression=Normalized("title"), output_field=models.TextField(), db_persist=True
    )
    search_text = models.GeneratedField(
        expression=Normalized(Concat("title", models.Value(" "), "notes", output_field=models.TextField())),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("bộ dữ liệu")
        verbose_name_plural = _("bộ dữ liệu")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temporal_start__isnull=True)
                | models.Q(temporal_end__isnull=True)
                | models.Q(temporal_start__lte=models.F("temporal_end")),
                name="dataset_temporal_order",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "private"]),
            models.Index(fields=["-metadata_modified"]),
            GinIndex(fields=["tags"], name="dataset_tags_gin"),
            GinIndex(OpClass("search_title", name="gin_trgm_ops"), name="dataset_search_title_trgm"),
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="dataset_search_text_trgm"),
        ]

    def __str__(self) -> str:
        return self.title


class DatastoreState(models.TextChoices):
    """Where an uploaded table stands in validation and loading ("trạng thái kiểm tra dữ liệu")."""

    NONE = "", _("Không phải bảng dữ liệu")
    QUEUED = "queued", _("Đang chờ kiểm tra")
    RUNNING = "running", _("Đang kiểm tra")
    VALID = "valid", _("Hợp lệ, đã nạp vào kho dữ liệu")
    INVALID = "invalid", _("Không hợp lệ")
    FAILED = "failed", _("Lỗi khi kiểm tra")


class Resource(models.Model):
    """A distribution of a dataset ("tài nguyên"): a link or an uploaded file.

    An uploaded file lives in the content-addressed store under `file_sha256` (never under a
    guessable path). A CSV/XLSX upload is validated in the background; its progress, report and
    data dictionary ("từ điển dữ liệu": the inferred Table Schema's fields with editable titles
    and descriptions) are kept here, and a valid table is loaded into the `datastore` schema.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="resources", verbose_name=_("bộ dữ liệu")
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên"), max_length=500, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    url = models.CharField(_("địa chỉ"), max_length=2000, blank=True)
    url_type = models.CharField(_("loại địa chỉ"), max_length=20, blank=True)  # "upload" or "" (a link)
    format = models.CharField(_("định dạng"), max_length=50, blank=True)
    mimetype = models.CharField(_("kiểu MIME"), max_length=200, blank=True)
    size = models.BigIntegerField(_("kích thước (byte)"), null=True, blank=True)
    hash = models.CharField(_("mã băm"), max_length=200, blank=True)
    created = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    last_modified = models.DateTimeField(_("ngày sửa"), null=True, blank=True)
    file_sha256 = models.CharField(_("mã SHA-256 của tệp"), max_length=64, blank=True, db_index=True)
    file_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    datastore_state = models.CharField(
        _("trạng thái kiểm tra"), max_length=10, choices=DatastoreState.choices, blank=True, default=""
    )
    datastore_rows_done = models.BigIntegerField(_("số dòng đã kiểm tra"), default=0)
    datastore_rows_total = models.BigIntegerField(_("tổng số dòng"), null=True, blank=True)
    # {"valid": bool, "errors": [{"row", "field", "type", "message"}], "error_count": int}
    datastore_report = models.JSONField(_("báo cáo kiểm tra"), default=dict, blank=True)
    # The data dictionary: [{"id", "type", "title", "description"}] in column order.
    datastore_fields = models.JSONField(_("từ điển dữ liệu"), default=list, blank=True)
    datastore_active = models.BooleanField(_("đã nạp vào kho dữ liệu"), default=False)
    datastore_loaded = models.DateTimeField(_("thời điểm nạp"), null=True, blank=True)

    class Meta:
        ordering = ["dataset", "position"]
        verbose_name = _("tài nguyên")
        verbose_name_plural = _("tài nguyên")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "position"], name="resource_unique_position"),
        ]

    def __str__(self) -> str:
        return self.name or self.url
