"""The shared data warehouse ("kho dữ liệu dùng chung"): one fact row per filed dossier and the
monthly summaries every scorecard figure is read from.

No foreign keys on purpose: bulk loads, the rebuild (TRUNCATE + INSERT … SELECT) and maintenance of
the tables these rows name are never blocked by them. Every row is derived data; the dossier table
is the truth and `manage.py warehouse_rebuild` recomputes all of it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierFact(models.Model):
    """One non-draft dossier, flattened for statistics ("dữ kiện hồ sơ").

    `is_finished` means processing ended with a result (awaiting return or returned). `on_time`
    applies the Decision 766 rule: finished no later than the appointment, without an apology
    (new appointment), and with at most one supplement request.
    """

    dossier_id = models.UUIDField(primary_key=True)
    procedure_id = models.BigIntegerField()
    procedure_code = models.CharField(max_length=40)
    online_level = models.CharField(max_length=10)
    agency_id = models.BigIntegerField()
    agency_level = models.CharField(max_length=20)
    channel = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=30)
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    processing_seconds = models.BigIntegerField(null=True)  # working time, pauses excluded
    statutory_seconds = models.BigIntegerField()  # the procedure's statutory time, in working seconds
    supplement_rounds = models.PositiveSmallIntegerField()
    apologized = models.BooleanField()
    outcome = models.CharField(max_length=10)
    fee_total = models.BigIntegerField()
    fee_paid = models.BooleanField()
    fee_paid_online = models.BooleanField()
    electronic_result = models.BooleanField()
    rating = models.CharField(max_length=12)
    is_finished = models.BooleanField()
    on_time = models.BooleanField()

    class Meta:
        db_table = "warehouse_dossier_fact"
        verbose_name = _("dữ kiện hồ sơ")
        verbose_name_plural = _("dữ kiện hồ sơ")
        indexes = [models.Index(fields=["agency_id", "finished_at"], name="fact_agency_finished_idx")]

    def __str__(self) -> str:
        return str(self.dossier_id)


class AgencyMonth(models.Model):
    """Monthly counters of one receiving agency, channel and online level ("số liệu tháng").

    Filing counters belong to the month the dossier was submitted; every other counter to the
    month processing finished (a dossier counts once in each).
    """

    month = models.DateField()
    agency_id = models.BigIntegerField()
    agency_level = models.CharField(max_length=20)
    channel = models.PositiveSmallIntegerField()
    online_level = models.CharField(max_length=10)
    filed = models.BigIntegerField(default=0)
    filed_online = models.BigIntegerField(default=0)
    finished = models.BigIntegerField(default=0)
    finished_on_time = models.BigIntegerField(default=0)
    finished_late = models.BigIntegerField(default=0)
    timed = models.BigIntegerField(default=0)  # finished with a measured processing time
    processing_seconds = models.BigIntegerField(default=0)
    statutory_seconds = models.BigIntegerField(default=0)
    with_fee = models.BigIntegerField(default=0)
    paid = models.BigIntegerField(default=0)
    paid_online = models.BigIntegerField(default=0)
    electronic_results = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rated_satisfied = models.BigIntegerField(default=0)
    rated_normal = models.BigIntegerField(default=0)
    rated_unsatisfied = models.BigIntegerField(default=0)

    class Meta:
        db_table = "warehouse_agency_month"
        verbose_name = _("số liệu tháng theo cơ quan")
        verbose_name_plural = _("số liệu tháng theo cơ quan")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency_id", "agency_level", "channel", "online_level"], name="agency_month_key"
            )
        ]
        indexes = [models.Index(fields=["agency_id", "month"], name="agency_month_agency_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.channel} {self.online_level}"


class ProcedureMonth(models.Model):
    """Monthly processing figures of one procedure at one level ("số liệu tháng theo thủ tục")."""

    month = models.DateField()
    procedure_id = models.BigIntegerField()
    agency_level = models.CharField(max_length=20)
    finished = models.BigIntegerField(default=0)
    finished_on_time = models.BigIntegerField(default=0)
    timed = models.BigIntegerField(default=0)
    processing_seconds = models.BigIntegerField(default=0)
    statutory_seconds = models.BigIntegerField(default=0)

    class Meta:
        db_table = "warehouse_procedure_month"
        verbose_name = _("số liệu tháng theo thủ tục")
        verbose_name_plural = _("số liệu tháng theo thủ tục")
        constraints = [
            models.UniqueConstraint(fields=["month", "procedure_id", "agency_level"], name="procedure_month_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.procedure_id}"
