"""The publisher's forms on the Open Data Portal ("biểu mẫu của người công bố dữ liệu").

The forms only shape and pre-check the input (types, required fields, choices the user may
pick); every rule of the catalogue is checked again by the services, whose `ValidationFailed`
details are put back next to the field they concern (`apply_service_errors`).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cqs.core.errors import ValidationFailed
from cqs.core.search import normalize_query
from cqs.opendata.models import DatasetState, Frequency, License
from cqs.opendata.queries import org_name

NAME_HINT = _("Dùng trong địa chỉ trang và API. Chỉ chữ thường không dấu, chữ số, '-' và '_'. Bỏ trống để tạo từ tên.")


def slug_from_title(title: str) -> str:
    """A CKAN name from a Vietnamese title: "Số liệu hộ tịch 2025" -> "so-lieu-ho-tich-2025"."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalize_query(title)).strip("-")
    return slug[:100]


class DatasetForm(forms.Form):
    """Create or edit a dataset ("bộ dữ liệu"): its metadata, not its resources."""

    title = forms.CharField(label=_("Tên bộ dữ liệu"), max_length=500)
    name = forms.CharField(label=_("Tên định danh"), max_length=100, required=False, help_text=NAME_HINT)
    notes = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    owner_org = forms.ChoiceField(label=_("Cơ quan công bố"))
    tags = forms.CharField(
        label=_("Từ khoá"),
        required=False,
        max_length=2000,
        help_text=_("Cách nhau bằng dấu phẩy, ví dụ: hộ tịch, thống kê"),
    )
    groups = forms.MultipleChoiceField(label=_("Chủ đề"), required=False, widget=forms.CheckboxSelectMultiple)
    license_id = forms.ChoiceField(label=_("Giấy phép"), choices=License.choices, initial=License.CC_BY)
    maintainer = forms.CharField(label=_("Người liên hệ"), max_length=255, required=False)
    maintainer_email = forms.EmailField(label=_("Thư điện tử liên hệ"), required=False)
    author = forms.CharField(label=_("Tác giả"), max_length=255, required=False)
    url = forms.URLField(label=_("Trang nguồn"), required=False, assume_scheme="https")
    temporal_start = forms.DateField(
        label=_("Thời gian từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(
        label=_("Thời gian đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    spatial = forms.ChoiceField(label=_("Phạm vi địa lý (đơn vị hành chính)"), required=False)
    frequency = forms.ChoiceField(
        label=_("Tần suất cập nhật"), required=False, choices=[("", _("Chưa xác định")), *Frequency.choices]
    )
    version = forms.CharField(label=_("Phiên bản"), max_length=100, required=False)
    private = forms.BooleanField(label=_("Riêng tư: chỉ người công bố của cơ quan xem được"), required=False)
    state = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[(DatasetState.DRAFT, DatasetState.DRAFT.label), (DatasetState.ACTIVE, DatasetState.ACTIVE.label)],
        initial=DatasetState.ACTIVE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, agencies: Any, units: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].choices = [(org_name(a), a.name) for a in agencies]
        if len(self.fields["owner_org"].choices) > 1:
            self.fields["owner_org"].choices.insert(0, ("", _("— Chọn cơ quan —")))
        self.fields["spatial"].choices = [("", _("Không xác định"))] + [
            (str(level_label), [(u.code, f"{u.name} ({u.code})") for u in members]) for level_label, members in units
        ]
        self.fields["groups"].choices = [(g.name, g.title) for g in groups]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("name") and data.get("title"):
            data["name"] = slug_from_title(data["title"])
        return data

    def service_data(self) -> dict[str, Any]:
        """The CKAN dictionary the services take."""
        data = dict(self.cleaned_data)
        data["tags"] = data.get("tags") or ""
        data["tag_string"] = data.pop("tags")
        data["groups"] = [{"name": g} for g in data.get("groups") or []]
        for key in ("temporal_start", "temporal_end"):
            data[key] = data[key].isoformat() if data.get(key) else ""
        return data


def initial_from_dataset(dataset: Any) -> dict[str, Any]:
    return {
        "title": dataset.title,
        "name": dataset.name,
        "notes": dataset.notes,
        "owner_org": org_name(dataset.owner_org),
        "tags": ", ".join(dataset.tags),
        "groups": [g.name for g in dataset.groups.all()],
        "license_id": dataset.license_id,
        "maintainer": dataset.maintainer,
        "maintainer_email": dataset.maintainer_email,
        "author": dataset.author,
        "url": dataset.url,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "spatial": dataset.spatial.code if dataset.spatial else "",
        "frequency": dataset.frequency,
        "version": dataset.version,
        "private": dataset.private,
        "state": dataset.state if dataset.state != DatasetState.DELETED else DatasetState.DRAFT,
    }


class ResourceForm(forms.Form):
    """Add a resource ("tài nguyên"): a file to upload or a link to where the data lives."""

    name = forms.CharField(label=_("Tên tài nguyên"), max_length=500)
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    upload = forms.FileField(
        label=_("Tệp dữ liệu"),
        required=False,
        help_text=_("CSV hoặc XLSX được kiểm tra và nạp vào kho dữ liệu để xem trước và truy vấn."),
    )
    url = forms.URLField(label=_("Hoặc địa chỉ liên kết"), required=False, assume_scheme="https")
    format = forms.CharField(
        label=_("Định dạng"),
        max_length=50,
        required=False,
        help_text=_(
            "Cho liên kết; bỏ trống để đoán từ địa chỉ, ví dụ: CSV. Tệp tải lên được nhận định dạng theo nội dung."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_file, has_url = bool(data.get("upload")), bool(data.get("url"))
        if has_file == has_url and not self.errors.get("url"):
            self.add_error("upload", _("Chọn một tệp để tải lên hoặc nhập một địa chỉ liên kết (một trong hai)."))
        return data


class ResourceFileForm(forms.Form):
    """Replace a resource's file ("thay tệp"); the new file is checked by the upload service
    exactly as a first upload is."""

    upload = forms.FileField(
        label=_("Tệp dữ liệu"),
        help_text=_("CSV hoặc XLSX được kiểm tra và nạp vào kho dữ liệu để xem trước và truy vấn."),
    )


class DictionaryForm(forms.Form):
    """The titles and descriptions of a table's fields ("từ điển dữ liệu"); names and types
    come from the validated Table Schema and are not edited here."""

    def __init__(self, *args: Any, fields: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = fields
        for index, field in enumerate(fields):
            self.fields[f"title_{index}"] = forms.CharField(
                label=_("Tiêu đề"), max_length=255, required=False, initial=field.get("title", "")
            )
            self.fields[f"description_{index}"] = forms.CharField(
                label=_("Mô tả"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=field.get("description", ""),
            )

    def rows(self) -> list[tuple[dict[str, Any], Any, Any]]:
        return [(c, self[f"title_{i}"], self[f"description_{i}"]) for i, c in enumerate(self.columns)]

    def changes(self) -> list[dict[str, str]]:
        """[{"id", "title", "description"}] in column order, as the dictionary is kept."""
        return [
            {
                "id": str(column["id"]),
                "title": self.cleaned_data.get(f"title_{i}", "").strip(),
                "description": self.cleaned_data.get(f"description_{i}", "").strip(),
            }
            for i, column in enumerate(self.columns)
        ]


def apply_service_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Put a service's per-field messages next to the form's fields (the rest at the top)."""
    details = error.details if isinstance(error.details, dict) else {}
    if not details:
        form.add_error(None, error.message)
    for field, messages in details.items():
        target = field if field in form.fields else ("tags" if field == "tag_string" else None)
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(target, message)
