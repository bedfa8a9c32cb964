"""The registry of computed indicators ("chỉ số tính từ dữ liệu nền tảng"): each with its
definition and its formula over the warehouse's monthly summaries (or the catalogue). A formula
returns a `Ratio` (numerator, denominator) or None when the platform has no data for it — never
a made-up number. `score` applies the Decision 766 thresholds with the pro-rata rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
SECONDS_PER_WORKING_DAY = 8 * 3600


@dataclass(frozen=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal
    percent: bool = True  # False: a plain average (numerator ÷ denominator)

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        factor = HUNDRED if self.percent else Decimal(1)
        return (Decimal(self.numerator) * factor / Decimal(self.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    code: str
    title: Any
    definition: Any
    unit: str
    source: str  # "summary", "catalogue" or "none"
    formula: Callable[[dict[str, int]], Ratio | None]


def _r(num: str, den: str) -> Callable[[dict[str, int]], Ratio]:
    return lambda c: Ratio(Decimal(c.get(num, 0)), Decimal(c.get(den, 0)))


def _none(_c: dict[str, int]) -> None:
    return None


def _processing_days(c: dict[str, int]) -> Ratio:
    return Ratio(Decimal(c.get("processing_seconds", 0)), Decimal(c.get("timed", 0) * SECONDS_PER_WORKING_DAY), False)


def _within_statutory(c: dict[str, int]) -> Ratio | None:
    processing, statutory = c.get("processing_seconds", 0), c.get("statutory_seconds", 0)
    if not c.get("timed"):
        return None
    if processing <= statutory:
        return Ratio(Decimal(1), Decimal(1))
    return Ratio(Decimal(statutory), Decimal(processing))


def _satisfaction_766(c: dict[str, int]) -> Ratio | None:
    finished = c.get("finished", 0)
    if not finished:
        return None
    return Ratio(Decimal(finished - c.get("finished_late", 0) - c.get("rated_unsatisfied", 0)), Decimal(finished))


def _satisfaction(c: dict[str, int]) -> Ratio:
    return Ratio(Decimal(c.get("rated_satisfied", 0)), Decimal(c.get("rated", 0)))


REGISTRY: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "procedures_online",
            _("Thủ tục cung cấp trực tuyến (một phần và toàn trình)"),
            _(
                "Số thủ tục có phiên bản hiệu lực cuối kỳ được cung cấp trực tuyến một phần hoặc toàn trình "
                "÷ tổng số thủ tục."
            ),
            "%",
            "catalogue",
            _r("online", "procedures"),
        ),
        Indicator(
            "procedures_full_online",
            _("Dịch vụ công trực tuyến toàn trình"),
            _("Số thủ tục trực tuyến toàn trình ÷ số thủ tục được cung cấp trực tuyến (một phần và toàn trình)."),
            "%",
            "catalogue",
            _r("full", "online"),
        ),
        Indicator(
            "procedures_fees_online",
            _("Thủ tục có phí, lệ phí thanh toán trực tuyến"),
            _("Số thủ tục có phí, lệ phí được cung cấp toàn trình (nộp phí trực tuyến) ÷ số thủ tục có phí, lệ phí."),
            "%",
            "catalogue",
            _r("fees_full", "with_fees"),
        ),
        Indicator(
            "dossiers_online",
            _("Hồ sơ nộp trực tuyến"),
            _("Số hồ sơ nộp trực tuyến trong kỳ ÷ tổng số hồ sơ nộp trong kỳ (theo ngày nộp)."),
            "%",
            "summary",
            _r("filed_online", "filed"),
        ),
        Indicator(
            "on_time",
            _("Hồ sơ giải quyết đúng hạn"),
            _(
                "Số hồ sơ giải quyết xong trong kỳ không muộn hơn ngày hẹn, không phải xin lỗi hẹn lại và bị yêu cầu "
                "bổ sung nhiều nhất một lần ÷ số hồ sơ giải quyết xong trong kỳ. Thời gian bổ sung không tính."
            ),
            "%",
            "summary",
            _r("finished_on_time", "finished"),
        ),
        Indicator(
            "processing_days",
            _("Thời gian giải quyết trung bình"),
            _(
                "Thời gian làm việc từ khi bắt đầu tính hạn đến khi có kết quả, trừ thời gian tạm dừng, trung bình "
                "trên hồ sơ giải quyết xong trong kỳ; tính bằng ngày làm việc (8 giờ)."
            ),
            _("ngày"),
            "summary",
            _processing_days,
        ),
        Indicator(
            "processing_within_statutory",
            _("Thời gian giải quyết so với quy định"),
            _("Tổng thời gian theo quy định ÷ tổng thời gian xử lý thực tế của hồ sơ xong trong kỳ, tối đa 100 %."),
            "%",
            "summary",
            _within_statutory,
        ),
        Indicator(
            "paid_online",
            _("Hồ sơ thanh toán phí, lệ phí trực tuyến"),
            _("Số hồ sơ giải quyết xong trong kỳ đã nộp phí trực tuyến ÷ số hồ sơ giải quyết xong có phí, lệ phí."),
            "%",
            "summary",
            _r("paid_online", "with_fee"),
        ),
        Indicator(
            "electronic_results",
            _("Hồ sơ có kết quả điện tử"),
            _("Số hồ sơ giải quyết xong trong kỳ có kết quả điện tử ÷ số hồ sơ giải quyết xong trong kỳ."),
            "%",
            "summary",
            _r("electronic_results", "finished"),
        ),
        Indicator(
            "online_electronic",
            _("Hồ sơ trực tuyến có kết quả điện tử"),
            _(
                "Số hồ sơ nộp trực tuyến, giải quyết xong trong kỳ có kết quả điện tử "
                "÷ số hồ sơ giải quyết xong trong kỳ."
            ),
            "%",
            "summary",
            _r("online_electronic", "finished"),
        ),
        Indicator(
            "satisfaction",
            _("Mức độ hài lòng"),
            _('Số đánh giá "hài lòng" ÷ số đánh giá của hồ sơ giải quyết xong trong kỳ.'),
            "%",
            "summary",
            _satisfaction,
        ),
        Indicator(
            "satisfaction_766",
            _("Mức độ hài lòng (Quyết định 766)"),
            _("100 % − (tỷ lệ hồ sơ trễ hạn + tỷ lệ đánh giá không hài lòng), trên hồ sơ giải quyết xong trong kỳ."),
            "%",
            "summary",
            _satisfaction_766,
        ),
        Indicator(
            "work_records_online",
            _("Hồ sơ công việc xử lý trên môi trường mạng"),
            _("Chưa có dữ liệu: nền tảng chưa quản lý hồ sơ công việc."),
            "%",
            "none",
            _none,
        ),
        Indicator("synced", _("Hồ sơ đồng bộ lên Cổng quốc gia"), _("Chưa có dữ liệu đồng bộ."), "%", "none", _none),
        Indicator("digitised", _("Hồ sơ được số hóa"), _("Chưa có dữ liệu số hóa."), "%", "none", _none),
        Indicator("data_reuse", _("Tái sử dụng dữ liệu số hóa"), _("Chưa có dữ liệu."), "%", "none", _none),
        Indicator(
            "population_data", _("Khai thác dữ liệu dân cư"), _("Chưa có dữ liệu xác thực VNeID."), "%", "none", _none
        ),
    )
}


def score(rate: Decimal | None, *, weight: Decimal, threshold: Decimal) -> Decimal | None:
    """Decision 766 scoring: full `weight` at or above `threshold` (a percentage); below it,
    `rate × weight ÷ threshold`. No rate, no score."""
    if rate is None:
        return None
    if not threshold or rate >= threshold:
        return Decimal(weight).quantize(Decimal("0.01"))
    return (max(rate, Decimal(0)) * Decimal(weight) / Decimal(threshold)).quantize(Decimal("0.01"), ROUND_HALF_UP)
