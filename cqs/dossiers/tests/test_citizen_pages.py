"""The citizen's pages between the form and the receipt: what a first-time applicant sees when
something is missing, and answers written the way people read them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cqs.catalog.models import ProcedureVersion
from cqs.core.templatetags.cqs_format import moment, vnd
from cqs.dossiers.forms import answer_text, labelled_answers
from cqs.dossiers.models import Dossier
from cqs.dossiers.tests.conftest import attach_all


@pytest.fixture
def citizen_client(client, personas):
    client.force_login(personas.citizen)
    return client


def form_action(html: str) -> str:
    [action] = re.findall(r'<form method="post" action="([^"]+)" enctype', html)
    return action


def test_going_to_review_with_a_required_answer_and_a_document_missing_stays_on_the_form(citizen_client, draft):
    edit_url = reverse("dossiers:edit", args=[draft.pk])

    answer = citizen_client.post(edit_url, {"ho_ten_tre": "", "ngay_sinh": "2026-11-20", "review": "1"})

    assert answer.status_code == 200  # the form again, not a redirect to the review step
    html = answer.content.decode()
    assert "Vui lòng sửa các mục được đánh dấu bên dưới." in html
    # each problem is listed at the top with a link to its field
    assert 'href="#f-ho_ten_tre"' in html
    assert 'href="#doc-' in html
    assert "Chưa đính kèm" in html
    assert form_action(html) == edit_url


def test_a_complete_draft_goes_on_to_review(citizen_client, draft, personas):
    attach_all(draft, personas.citizen)

    answer = citizen_client.post(
        reverse("dossiers:edit", args=[draft.pk]),
        {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-20", "so_ban_sao": "2", "review": "1"},
    )

    assert answer.status_code == 302
    assert answer["Location"] == reverse("dossiers:review", args=[draft.pk])


def test_saving_a_half_filled_draft_is_still_allowed(citizen_client, draft):
    answer = citizen_client.post(reverse("dossiers:edit", args=[draft.pk]), {"ho_ten_tre": "", "save": "1"})

    assert answer.status_code == 302
    draft.refresh_from_db()
    assert "ho_ten_tre" not in draft.form_data


def test_a_refused_submit_shows_a_form_that_posts_back_to_the_edit_step(citizen_client, draft, personas):
    attach_all(draft, personas.citizen)
    Dossier.objects.filter(pk=draft.pk).update(form_data={"ngay_sinh": "2026-11-20"})  # the name is missing

    answer = citizen_client.post(reverse("dossiers:review", args=[draft.pk]), {"idempotency_key": "k1"})

    assert answer.status_code == 400
    # Pressing "save" or "review" on this page must reach the edit step, not submit the old answers again.
    assert form_action(answer.content.decode()) == reverse("dossiers:edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == "draft"


SCHEMA = {
    "type": "object",
    "properties": {
        "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["nam", "nu"], "x-enum-titles": ["Nam", "Nữ"]},
        "quan_he": {
            "type": "string",
            "title": "Quan hệ với người được khai sinh",
            "oneOf": [{"const": "cha", "title": "Cha"}, {"const": "me", "title": "Mẹ"}],
        },
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "so_ban_sao": {"type": "integer", "title": "Số bản sao"},
        "dong_y": {"type": "boolean", "title": "Cam đoan"},
        "noi_o": {
            "type": "object",
            "title": "Nơi ở",
            "properties": {"xa": {"type": "string", "title": "Xã, phường"}},
        },
        "ghi_chu": {"type": "string", "title": "Ghi chú"},
    },
}


def test_answers_read_as_people_write_them_not_as_stored():
    answers = {
        "gioi_tinh": "nu",
        "quan_he": "cha",
        "ngay_sinh": "2026-01-02",
        "so_ban_sao": 2,
        "dong_y": True,
        "noi_o": {"xa": "Phường Tân An"},
        "ghi_chu": "",
    }

    assert labelled_answers(SCHEMA, answers) == [
        ("Giới tính", "Nữ"),
        ("Quan hệ với người được khai sinh", "Cha"),
        ("Ngày sinh", "02/01/2026"),
        ("Số bản sao", "2"),
        ("Cam đoan", "Có"),
        ("Nơi ở › Xã, phường", "Phường Tân An"),
        ("Ghi chú", "—"),
    ]


def test_an_answer_that_is_not_a_valid_date_is_shown_as_typed():
    assert answer_text({"type": "string", "format": "date"}, "20/11/2026") == "20/11/2026"


def test_the_review_page_shows_the_choice_titles(citizen_client, draft, personas):
    version = ProcedureVersion.objects.get(pk=draft.procedure_version_id)
    version.form_schema = SCHEMA
    version.save(update_fields=["form_schema"])
    Dossier.objects.filter(pk=draft.pk).update(form_data={"gioi_tinh": "nu", "ngay_sinh": "2026-01-02"})

    html = citizen_client.get(reverse("dossiers:review", args=[draft.pk])).content.decode()

    assert "<td>Nữ</td>" in html
    assert "<td>02/01/2026</td>" in html
    assert "<td>nu</td>" not in html


def test_public_lookup_before_the_appointment_is_set_shows_a_dash_and_readable_moments(client, submitted):
    submitted.applicant_identity = "080195012345"
    submitted.save()

    html = client.get(reverse("dossiers:track"), {"code": submitted.code, "verify": "2345"}).content.decode()

    assert "None" not in html
    assert re.search(r"Hẹn trả kết quả</th><td>—</td>", html)
    assert re.search(r'<time datetime="[^"]+">\d\d:\d\d \d\d/\d\d/\d{4}</time>', html)


def test_moments_are_written_in_local_time_and_money_keeps_its_unit_on_the_line():
    assert moment("2026-12-07T07:05:00+00:00") == "14:05 07/12/2026"
    assert moment(dt.datetime(2026, 12, 7, 7, 5, tzinfo=dt.UTC)) == "14:05 07/12/2026"
    assert moment(None) == moment("") == moment("not a moment") == ""
    assert vnd(1234567) == "1.234.567\u00a0đ"


def test_the_procedure_page_names_levels_and_sample_parts_in_vietnamese(client, catalog):
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()

    assert "Cấp xã" in html
    assert ">commune<" not in html
    assert "biểu mẫu điện tử" in html
    assert "form_schema" not in html
