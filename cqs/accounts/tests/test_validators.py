import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cqs.accounts.validators import (
    identity_number_facts,
    normalize_phone,
    normalize_tax_code,
    tax_code_check_digit,
    validate_identity_matches,
    validate_identity_number,
    validate_tax_code,
)


@pytest.mark.parametrize(
    ("number", "province", "sex", "year"),
    [
        ("080195012345", "080", "female", 1995),  # Long An, woman born 1995
        ("001088012345", "001", "male", 1988),  # Hà Nội, man born 1988
        ("079300001234", "079", "female", 2000),  # Hồ Chí Minh City, woman born 2000
        ("072210000001", "072", "male", 2010),  # Tây Ninh, boy born 2010
        ("096999000123", "096", "female", 1899),  # Cà Mau, woman born 1899
    ],
)
def test_identity_number_says_province_sex_and_birth_year(number, province, sex, year):
    facts = identity_number_facts(number)
    assert (facts.province_code, facts.sex, facts.birth_year) == (province, sex, year)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("08019501234", "identity_format"),  # 11 digits
        ("0801950123456", "identity_format"),  # 13 digits
        ("08019501234A", "identity_format"),
        ("003195012345", "identity_province"),  # 003 was never a province code
        ("097195012345", "identity_province"),  # beyond 096
        ("000195012345", "identity_province"),
        ("080490012345", "identity_future"),  # born 2190
        ("080399012345", "identity_future"),  # born 2099
    ],
)
def test_malformed_identity_numbers_are_refused_in_vietnamese(number, code):
    with pytest.raises(ValidationError) as info:
        validate_identity_number(number)
    assert info.value.code == code
    assert "định danh" in info.value.messages[0] or "12 chữ số" in info.value.messages[0]


@time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
def test_birth_year_in_the_future_is_refused():
    validate_identity_number("080226012345")  # born 2026: a baby, fine
    with pytest.raises(ValidationError):
        validate_identity_number("080227012345")  # born 2027


def test_identity_number_must_agree_with_date_of_birth_and_sex():
    validate_identity_matches("080195012345", date_of_birth=dt.date(1995, 5, 12), sex="female")
    with pytest.raises(ValidationError, match="không khớp với ngày sinh"):
        validate_identity_matches("080195012345", date_of_birth=dt.date(1996, 5, 12))
    with pytest.raises(ValidationError, match="giới tính"):
        validate_identity_matches("080195012345", sex="male")


@pytest.mark.parametrize("code", ["0100109106", "0300588569", "1100123455", "1100987656", "0312345680"])
def test_tax_codes_with_a_correct_check_digit_are_accepted(code):
    validate_tax_code(code)
    assert tax_code_check_digit(code[:9]) == int(code[9])


def test_branch_tax_code_has_thirteen_digits_with_a_dash():
    validate_tax_code("0100109106-001")
    assert normalize_tax_code("0100109106001") == "0100109106-001"
    assert normalize_tax_code(" 0100 109 106 ") == "0100109106"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("0100109107", "chữ số kiểm tra"),  # wrong check digit
        ("0312345674", "chữ số kiểm tra"),
        ("1101876540", "chữ số kiểm tra"),  # 110187654 has no valid check digit (it would be 10)
        ("010010910", "10 chữ số"),
        ("0100109106-01", "10 chữ số"),
        ("01001091AB", "10 chữ số"),
        ("0100109106-000", "001 đến 999"),
    ],
)
def test_bad_tax_codes_are_refused(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_tax_code(code)
    assert tax_code_check_digit("110187654") is None


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 91 234 5678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0356.789.012", "0356789012"),
        ("070-123-4567", "0701234567"),
        ("0812345678", "0812345678"),
        ("0512345678", "0512345678"),
    ],
)
def test_mobile_numbers_are_stored_in_one_spelling(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["0212345678", "02723826123", "091234567", "09123456789", "+1 912345678", "hello"])
def test_landlines_and_foreign_numbers_are_not_mobile_numbers(raw):
    with pytest.raises(ValidationError, match="di động"):
        normalize_phone(raw)


def test_a_too_short_password_is_refused_in_vietnamese():
    from django.contrib.auth.password_validation import validate_password
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password("Ab1-ngan")

    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in refused.value.messages
