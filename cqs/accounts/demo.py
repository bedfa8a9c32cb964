"""Demo profiles for the citizen and enterprise personas (`cqs.core.demo` creates the accounts).

Called by the demo loader in demo mode only; idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cqs.accounts.models import CitizenProfile, EnterpriseProfile, Sex, User
from cqs.org.models import AdministrativeUnit

DEMO_COMMUNE = "27712"  # Phường Tân An

# Born 1995, female, birth registered in Long An (080): 080 · 1 · 95 · 012345.
CITIZEN_PROFILE = {
    "identity_number": "080195012345",
    "full_name": "Nguyễn Thị Hồng Nhung",
    "date_of_birth": dt.date(1995, 5, 12),
    "sex": Sex.FEMALE,
    "address_street": "Số 25 đường Hùng Vương, Khu phố 3",
}
CITIZEN_PHONE = "0912345678"

# A Long An (11…) tax code with a correct check digit: 110012345 → 5.
ENTERPRISE_PROFILE = {
    "tax_code": "1100123455",
    "name": "Công ty TNHH Nông sản Vàm Cỏ",
    "legal_representative": "Trần Văn Phước",
    "representative_identity": "080082004567",
    "address_street": "Số 120 Quốc lộ 1, Khu phố Nhơn Thuận",
}


@transaction.atomic
def demo_profiles_load() -> None:
    """Give `congdan` a citizen profile and `doanhnghiep` an enterprise profile, with verified
    e-mail addresses. Skips a persona whose account does not exist yet."""
    unit = AdministrativeUnit.objects.get(code=DEMO_COMMUNE)
    citizen = User.objects.filter(username="congdan").first()
    if citizen is not None:
        CitizenProfile.objects.update_or_create(user=citizen, defaults={**CITIZEN_PROFILE, "address_unit": unit})
        citizen.full_name = CITIZEN_PROFILE["full_name"]
        citizen.email_verified = True
        if not citizen.phone and not User.objects.filter(phone=CITIZEN_PHONE).exists():
            citizen.phone = CITIZEN_PHONE
        citizen.save(update_fields=["full_name", "email_verified", "phone"])
    enterprise = User.objects.filter(username="doanhnghiep").first()
    if enterprise is not None:
        EnterpriseProfile.objects.update_or_create(
            user=enterprise, defaults={**ENTERPRISE_PROFILE, "address_unit": unit}
        )
        enterprise.full_name = ENTERPRISE_PROFILE["name"]
        enterprise.email_verified = True
        enterprise.save(update_fields=["full_name", "email_verified"])
