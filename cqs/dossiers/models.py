"""Dossiers ("hồ sơ thủ tục hành chính"): what citizens and enterprises file, and its history."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqs.catalog.models import ProcedureVersion, RequiredDocument
from cqs.core.search import Normalized
from cqs.dossiers.lifecycle import State, national_status
from cqs.org.models import Agency


class Channel(models.IntegerChoices):
    """How the dossier reached the office (the national portal's codes)."""

    COUNTER = 1, _("Trực tiếp tại Bộ phận Một cửa")
    POSTAL = 2, _("Qua dịch vụ bưu chính công ích")
    ONLINE = 3, _("Trực tuyến")


class Dossier(models.Model):
    """An application for one procedure ("hồ sơ"), from draft to returned result.

    The applicant's identity is frozen at submission (`applicant_*`), so later profile edits do not
    rewrite what was filed. `procedure_version` is the version in force on the filing day.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("tài khoản người nộp"),
        db_index=False,  # dossier_applicant_idx leads with it
    )
    applicant_kind = models.CharField(_("loại người nộp"), max_length=20, blank=True)
    applicant_name = models.CharField(_("người nộp"), max_length=200, blank=True)
    applicant_identity = models.CharField(_("số định danh / mã số thuế"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=400, blank=True)
    receiving_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("nơi tiếp nhận"),
        db_index=False,  # dossier_agency_status_due_idx leads with it
    )
    channel = models.PositiveSmallIntegerField(_("hình thức nộp"), choices=Channel.choices)
    status = models.CharField(_("trạng thái"), max_length=30, choices=State.choices, default=State.DRAFT)
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    fee_lines = models.JSONField(_("phí, lệ phí"), default=list, blank=True)
    fee_total = models.PositiveBigIntegerField(_("tổng phí, lệ phí (đồng)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người tạo")
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    submitted_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("bắt đầu tính thời hạn"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    finished_at = models.DateTimeField(_("thời điểm xử lý xong"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    supplement_rounds = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    # Processing ("giải quyết"): who holds the dossier now, and the clock's pauses.
    current_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_dossiers",
        verbose_name=_("cơ quan đang xử lý"),
        db_index=False,  # dossier_holder_status_due_idx leads with it
    )
    current_step = models.ForeignKey(
        "DossierStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bước hiện tại"),
    )
    paused_at = models.DateTimeField(_("tạm dừng tính thời hạn từ"), null=True, blank=True)
    resume_state = models.CharField(_("trạng thái khi tiếp tục"), max_length=30, blank=True)
    paused_total = models.DurationField(_("tổng thời gian tạm dừng (giờ làm việc)"), default=dt.timedelta)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    apologized_at = models.DateTimeField(_("thời điểm xin lỗi, hẹn lại"), null=True, blank=True)
    is_overdue = models.BooleanField(_("quá hạn"), default=False)
    outcome = models.CharField(_("kết quả"), max_length=10, blank=True)  # approved / rejected
    decided_at = models.DateTimeField(_("thời điểm phê duyệt"), null=True, blank=True)
    # A foreign key to a text key gets a second, LIKE-capable index from Django by default; files
    # are only ever looked up by equality, so one plain index (Meta) is enough.
    result_file = models.ForeignKey(
        "StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp kết quả"),
        db_index=False,
    )
    # Working time from the clock's start to the result, pauses excluded (set with the result).
    processing_time = models.DurationField(_("thời gian xử lý (giờ làm việc)"), null=True, blank=True)
    fee_paid_at = models.DateTimeField(_("thời điểm nộp phí, lệ phí"), null=True, blank=True)
    fee_paid_online = models.BooleanField(_("nộp phí trực tuyến"), default=False)
    rating = models.CharField(_("đánh giá"), max_length=12, blank=True)
    rating_comment = models.TextField(_("ý kiến"), blank=True)
    rated_at = models.DateTimeField(_("thời điểm đánh giá"), null=True, blank=True)
    search_name = models.GeneratedField(
        expression=Normalized("applicant_name"), output_field=models.TextField(), db_persist=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_idx"),
            models.Index(fields=["receiving_agency", "status", "due_at"], name="dossier_agency_status_due_idx"),
            models.Index(fields=["current_agency", "status", "due_at"], name="dossier_holder_status_due_idx"),
            # The worklists: open dossiers of an agency, soonest due first (keyset on due_at, id).
            models.Index(
                fields=["current_agency", "due_at", "id"],
                name="dossier_worklist_holder_idx",
                condition=~models.Q(status__in=["draft", "refused", "withdrawn", "stopped", "returned"]),
            ),
            models.Index(
                fields=["receiving_agency", "due_at", "id"],
                name="dossier_worklist_receiver_idx",
                condition=~models.Q(status__in=["draft", "refused", "withdrawn", "stopped", "returned"]),
            ),
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="dossier_applicant_name_trgm"),
            models.Index(fields=["result_file"], name="dossier_result_file_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=State.DRAFT) | models.Q(code__isnull=False, submitted_at__isnull=False),
                name="dossier_submitted_has_code",
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(self.id)

    @property
    def national_status(self) -> int | None:
        return national_status(self.status)

    @property
    def procedure(self):  # type: ignore[no-untyped-def]
        return self.procedure_version


class DossierStep(models.Model):
    """One step of the dossier's internal process as it happens ("bước xử lý"): who must act,
    by when (from the step's budget of working hours), and when it was done. Lateness is traced
    to the step, and so to the agency and official responsible."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò"), max_length=20)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ được giao"),
    )
    budget = models.DurationField(_("thời gian cho phép (giờ làm việc)"))
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    completed_at = models.DateTimeField(_("hoàn thành"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["dossier", "position", "id"]
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("các bước xử lý hồ sơ")

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    @property
    def is_late(self) -> bool:
        return bool(self.due_at and self.completed_at and self.completed_at > self.due_at)


class StoredFile(models.Model):
    """A file's bytes, stored once under their SHA-256 and never under a name a user chose."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp lưu trữ")
        verbose_name_plural = _("tệp lưu trữ")

    def __str__(self) -> str:
        return self.sha256


class DossierDocument(models.Model):
    """A document attached to a dossier ("thành phần hồ sơ đã nộp"), for one required document.

    Supplements add new rows (`round` > 0); the row they replace stops being current but stays.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        RequiredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thành phần hồ sơ"),
    )
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="documents", db_index=False)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    round = models.PositiveSmallIntegerField(_("lần nộp"), default=0)
    is_current = models.BooleanField(_("đang dùng"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "requirement__position", "uploaded_at"]
        verbose_name = _("giấy tờ đã nộp")
        verbose_name_plural = _("giấy tờ đã nộp")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "requirement"],
                condition=models.Q(is_current=True),
                name="one_current_per_requirement",
            ),
        ]
        # One plain index for the file (equality only), not Django's pair with a LIKE index.
        indexes = [models.Index(fields=["file"], name="dossierdocument_file_idx")]

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """One entry of a dossier's history ("quá trình xử lý"): who did what, when, from which state."""

    # The history is the platform's largest table (about 8 rows a dossier) and is read only by its
    # dossier: the (dossier, at) index serves that, so the foreign keys get no index of their own.
    # Who did what across dossiers is the audit trail's question (it has its own actor index);
    # users and agencies are deactivated, never deleted, so PROTECT's look-up does not need one.
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.CharField(_("từ trạng thái"), max_length=30, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=30)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SupplementRequest(models.Model):
    """A written request to complete a dossier ("phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", form 02).

    The rules allow one request per dossier; a second is possible but flagged, and the dossier
    then counts as late under Decision 766.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    number = models.PositiveSmallIntegerField(_("lần yêu cầu"))
    items = models.JSONField(_("nội dung cần bổ sung"))
    note = models.TextField(_("ghi chú"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    is_beyond_first = models.BooleanField(_("vượt quá một lần"), default=False)

    class Meta:
        ordering = ["dossier", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="supplement_request_unique_number")]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.number}"


class DossierCounter(models.Model):
    """The per-agency, per-day sequence of dossier codes. Incremented by one upsert that holds the
    row lock until the submission commits, so numbers never repeat and never skip."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_unique_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an `Idempotency-Key`, replayed for its retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
