"""Vietnamese identifiers: citizen identity numbers (CCCD), tax codes (MST) and mobile numbers.

Each `validate_*` raises Django's `ValidationError` with a Vietnamese message; each `normalize_*`
returns the canonical form the platform stores (or raises the same error).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Province-of-birth codes of the CCCD (Circular 07/2016/TT-BCA, Annex I): the 63 provinces as they
# were before the 2025 mergers. People keep the number they were given, so these never change.
PROVINCE_OF_BIRTH_CODES = frozenset(
    (
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
        "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
        "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
        "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
    )
)  # fmt: skip

# The CCCD's 4th digit: the century of birth and the sex (even = male, odd = female).
_CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}

# Weights of the MST check digit (the 10th digit), Circular 105/2020/TT-BTC.
_TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

MOBILE_PATTERN = re.compile(r"^0[35789]\d{8}$")


@dataclass(frozen=True)
class IdentityFacts:
    """What a CCCD number itself says about its holder (`sex` is a `models.Sex` value)."""

    province_code: str
    sex: str
    birth_year: int


def identity_number_facts(value: str) -> IdentityFacts:
    """Read a CCCD number: raises `ValidationError` unless it is well formed and plausible."""
    value = (value or "").strip()
    if not re.fullmatch(r"\d{12}", value):
        raise ValidationError(_("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."), code="identity_format")
    if value[:3] not in PROVINCE_OF_BIRTH_CODES:
        raise ValidationError(
            _("Ba chữ số đầu của số định danh (%(code)s) không phải mã tỉnh nơi đăng ký khai sinh.")
            % {"code": value[:3]},
            code="identity_province",
        )
    digit = int(value[3])
    birth_year = _CENTURY_BY_DIGIT[digit] + int(value[4:6])
    if birth_year > timezone.localdate().year:
        raise ValidationError(
            _("Số định danh cho năm sinh %(year)d, là năm trong tương lai.") % {"year": birth_year},
            code="identity_future",
        )
    return IdentityFacts(province_code=value[:3], sex="female" if digit % 2 else "male", birth_year=birth_year)


def validate_identity_number(value: str) -> None:
    """A CCCD number: 12 digits, a province-of-birth code, a sex/century digit, a past birth year."""
    identity_number_facts(value)


def validate_identity_matches(value: str, *, date_of_birth: dt.date | None = None, sex: str | None = None) -> None:
    """The CCCD number agrees with the date of birth and sex given with it (when they are given)."""
    facts = identity_number_facts(value)
    if date_of_birth is not None and date_of_birth.year != facts.birth_year:
        raise ValidationError(
            _("Số định danh cho năm sinh %(id_year)d, không khớp với ngày sinh (%(year)d).")
            % {"id_year": facts.birth_year, "year": date_of_birth.year},
            code="identity_birth_year",
        )
    if sex and sex != facts.sex:
        raise ValidationError(
            _("Chữ số thứ tư của số định danh không khớp với giới tính đã chọn."), code="identity_sex"
        )


def validate_date_of_birth(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("Ngày sinh không được ở trong tương lai."), code="birth_future")
    if value.year < 1880:
        raise ValidationError(_("Ngày sinh không hợp lệ."), code="birth_too_old")


def tax_code_check_digit(first_nine: str) -> int | None:
    """The MST's 10th digit for its first nine, or None when no tax code can start with them."""
    check = 10 - sum(int(d) * w for d, w in zip(first_nine, _TAX_CODE_WEIGHTS, strict=True)) % 11
    return None if check == 10 else check


def normalize_tax_code(value: str) -> str:
    """An MST as stored: `NNNNNNNNNN` or, for a branch, `NNNNNNNNNN-NNN` (13 digits also accepted)."""
    compact = re.sub(r"[\s.]", "", value or "")
    if re.fullmatch(r"\d{13}", compact):
        compact = f"{compact[:10]}-{compact[10:]}"
    if not re.fullmatch(r"\d{10}(-\d{3})?", compact):
        raise ValidationError(
            _("Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số dạng NNNNNNNNNN-NNN đối với chi nhánh."),
            code="tax_code_format",
        )
    if tax_code_check_digit(compact[:9]) != int(compact[9]):
        raise ValidationError(
            _("Mã số thuế không hợp lệ: chữ số kiểm tra (chữ số thứ 10) không đúng."), code="tax_code_check"
        )
    if compact[11:] == "000":
        raise ValidationError(_("Mã số thuế chi nhánh phải có ba chữ số cuối từ 001 đến 999."), code="tax_code_branch")
    return compact


def validate_tax_code(value: str) -> None:
    """An MST in its stored form: 10 digits with a correct check digit, or 10 digits, a dash and 3."""
    if normalize_tax_code(value) != value:
        raise ValidationError(_("Mã số thuế phải được ghi liền, dạng NNNNNNNNNN-NNN."), code="tax_code_format")


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile number as stored (`0xxxxxxxxx`): accepts spaces, dots, dashes and +84."""
    compact = re.sub(r"[\s.\-()]", "", value or "")
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) == 11:
        compact = "0" + compact[2:]
    if not MOBILE_PATTERN.fullmatch(compact):
        raise ValidationError(
            _("Số điện thoại di động phải gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (hoặc +84)."),
            code="phone_format",
        )
    return compact


def validate_phone(value: str) -> None:
    if normalize_phone(value) != value:
        raise ValidationError(_("Số điện thoại phải được ghi dạng 0xxxxxxxxx."), code="phone_format")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum password length, with its message in Vietnamese: Django 5.2 reworded the
    message and its Vietnamese catalogue has no translation of the new wording yet."""

    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}
