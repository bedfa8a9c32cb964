"""Small catalogue documents for tests, built fresh each call so tests can break them freely."""

from __future__ import annotations

import copy
from typing import Any

BIRTH = {
    "code": "1.001193",
    "national_code": "1.001193",
    "name": "Đăng ký khai sinh",
    "name_en": "Birth registration",
    "description": "Đăng ký khai sinh cho trẻ em sinh ra trên địa bàn.",
    "sector": "HT",
    "levels": ["commune"],
    "agencies": [],
    "version": 1,
    "effective_from": "2025-07-01",
    "online_level": "full",
    "processing_time": {"value": 1, "unit": "working_days"},
    "cutoff_time": "15:00",
    "supplement_clock": "pause",
    "fees": [
        {"name": "Lệ phí đăng ký khai sinh", "kind": "fee", "amount": 0},
        {
            "name": "Phí cấp bản sao trích lục",
            "kind": "charge",
            "rule": {"type": "per_unit", "field": "so_ban_sao", "amount": 8000},
        },
    ],
    "documents": [
        {
            "code": "TK",
            "name": "Tờ khai đăng ký khai sinh",
            "quantity": 1,
            "form": "original",
            "electronic_copy_accepted": True,
            "national_source": None,
            "required": True,
        },
        {
            "code": "GCS",
            "name": "Giấy chứng sinh",
            "quantity": 1,
            "form": "original",
            "electronic_copy_accepted": True,
            "national_source": None,
            "required": True,
        },
    ],
    "form_schema": {
        "type": "object",
        "required": ["ho_ten_tre", "ngay_sinh"],
        "properties": {
            "ho_ten_tre": {"type": "string", "title": "Họ và tên trẻ", "maxLength": 100},
            "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
            "so_ban_sao": {"type": "integer", "minimum": 0, "maximum": 20, "title": "Số bản sao"},
        },
    },
    "process": [
        {"name": "Tiếp nhận hồ sơ", "role": "reception", "agency": None, "budget_hours": 1},
        {"name": "Thẩm định", "role": "specialist", "agency": None, "budget_hours": 4},
        {"name": "Phê duyệt", "role": "leader", "agency": None, "budget_hours": 2.5},
    ],
    "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
    "electronic_result": True,
    "sample": ["fees", "form_schema"],
}

ENTERPRISE = {
    **copy.deepcopy(BIRTH),
    "code": "2.001610",
    "national_code": "2.001610",
    "name": "Đăng ký thành lập doanh nghiệp tư nhân",
    "name_en": "Registration of a sole proprietorship",
    "description": "Cấp Giấy chứng nhận đăng ký doanh nghiệp.",
    "sector": "DKKD",
    "levels": ["province"],
    "agencies": ["000.11.00.H53"],
    "online_level": "partial",
    "processing_time": {"value": 3, "unit": "working_days"},
    "fees": [{"name": "Lệ phí đăng ký doanh nghiệp", "kind": "fee", "amount": 50000}],
    "process": [
        {"name": "Tiếp nhận", "role": "reception", "agency": None, "budget_hours": 4},
        {"name": "Xử lý", "role": "specialist", "agency": None, "budget_hours": 16},
        {"name": "Ký duyệt", "role": "leader", "agency": None, "budget_hours": 4},
    ],
}


def catalog_document(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "cqs-catalog",
        "format_version": 1,
        "sectors": [
            {"code": "HT", "name": "Hộ tịch", "name_en": "Civil status"},
            {"code": "DKKD", "name": "Đăng ký kinh doanh", "name_en": "Business registration"},
        ],
        "procedures": [copy.deepcopy(p) for p in (procedures or (BIRTH, ENTERPRISE))],
    }
