"""Valid registration data, and accounts made with the real registration service."""

from __future__ import annotations

from typing import Any

from cqs.accounts.models import User
from cqs.accounts.services import account_register

PASSWORD = "Hoa-sen-no-giua-dam-2026"


def citizen_payload(**overrides: Any) -> dict[str, Any]:
    """A woman born in 2000 whose birth was registered in Hồ Chí Minh City (079 · 3 · 00)."""
    data: dict[str, Any] = {
        "kind": "citizen",
        "email": "tran.thi.mai@example.vn",
        "phone": "0987654321",
        "password": PASSWORD,
        "identity_number": "079300001234",
        "full_name": "Trần Thị Mai",
        "date_of_birth": "2000-03-15",
        "sex": "female",
        "address_unit": "27712",
        "address_street": "Số 8 đường Nguyễn Huệ, Khu phố 2",
    }
    data.update(overrides)
    return data


def enterprise_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "enterprise",
        "email": "lienhe@nongsanvamco.example.vn",
        "phone": "0356789012",
        "password": PASSWORD,
        "tax_code": "1100987656",
        "enterprise_name": "Công ty Cổ phần Chế biến Nông sản Tân An",
        "legal_representative": "Lê Văn Hùng",
        "representative_identity": "080078001122",
        "address_unit": "28159",
        "address_street": "Lô B2, Khu công nghiệp Long Hậu",
    }
    data.update(overrides)
    return data


def register(payload: dict[str, Any]) -> User:
    data = dict(payload)
    return account_register(
        kind=data.pop("kind"),
        email=data.pop("email", ""),
        phone=data.pop("phone", ""),
        password=data.pop("password"),
        profile=data,
    )
