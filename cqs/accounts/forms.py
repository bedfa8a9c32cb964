"""Forms of the account pages. They only collect and render values: the rules live in
`services.py`, whose `ValidationFailed` details are put back next to the fields (`add_problems`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from cqs.accounts import queries, services
from cqs.accounts.models import Sex, UserKind


def _text(label: Any, *, help_text: Any = "", required: bool = True, **attrs: Any) -> forms.CharField:
    # `required` only becomes the HTML attribute: the service decides, and reports every problem.
    widget_attrs = {"required": True} if required else {}
    widget_attrs.update(attrs)
    return forms.CharField(
        label=label, help_text=help_text, required=False, strip=True, widget=forms.TextInput(attrs=widget_attrs)
    )


class _ProblemsMixin:
    def add_problems(self, details: list[dict[str, str]]) -> None:
        """Put a service's `ValidationFailed.details` next to the fields they name."""
        for detail in details or []:
            field = detail.get("field")
            message = detail.get("message", "")
            if field in self.fields and message not in self.errors.get(field, []):  # type: ignore[attr-defined]
                self.add_error(field, message)  # type: ignore[attr-defined]
            elif field not in self.fields:  # type: ignore[attr-defined]
                self.add_error(None, message)  # type: ignore[attr-defined]


def _commune_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=(), widget=forms.Select(attrs={"required": True}))


def _profile_fields(kind: str) -> dict[str, forms.Field]:
    if kind == UserKind.ENTERPRISE:
        return {
            "tax_code": _text(
                _("Mã số thuế"),
                help_text=_("10 chữ số; chi nhánh: 13 chữ số dạng NNNNNNNNNN-NNN."),
                inputmode="numeric",
                autocomplete="off",
                maxlength=14,
            ),
            "enterprise_name": _text(_("Tên doanh nghiệp, tổ chức"), autocomplete="organization", maxlength=300),
            "legal_representative": _text(_("Họ và tên người đại diện theo pháp luật"), maxlength=200),
            "representative_identity": _text(
                _("Số định danh cá nhân (CCCD) của người đại diện"),
                help_text=_("12 chữ số, in trên thẻ căn cước."),
                inputmode="numeric",
                maxlength=12,
            ),
            "address_unit": _commune_field(_("Xã, phường nơi đặt trụ sở")),
            "address_street": _text(_("Số nhà, đường, ấp/khu phố"), autocomplete="street-address", maxlength=300),
        }
    return {
        "full_name": _text(_("Họ và tên"), autocomplete="name", maxlength=200),
        "identity_number": _text(
            _("Số định danh cá nhân (CCCD)"),
            help_text=_("12 chữ số, in trên thẻ căn cước."),
            inputmode="numeric",
            autocomplete="off",
            maxlength=12,
        ),
        "date_of_birth": forms.CharField(
            label=_("Ngày sinh"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        ),
        "sex": forms.ChoiceField(label=_("Giới tính"), required=False, choices=Sex.choices, widget=forms.RadioSelect),
        "address_unit": _commune_field(_("Xã, phường nơi cư trú")),
        "address_street": _text(_("Số nhà, đường, ấp/khu phố"), autocomplete="street-address", maxlength=300),
    }


class _AccountFieldsForm(_ProblemsMixin, forms.Form):
    """Contact and profile fields of one kind of account."""

    email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Nhập thư điện tử hoặc số điện thoại di động (ít nhất một) để đăng nhập và nhận thông báo."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": 254}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        help_text=_("Ví dụ 0912345678 hoặc +84912345678."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "maxlength": 20}),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields.update(_profile_fields(kind))
        if "address_unit" in self.fields:
            choices = [("", _("– Chọn xã, phường –")), *queries.commune_choices()]
            self.fields["address_unit"].choices = choices  # type: ignore[attr-defined]

    _LOGIN_FIELDS = ("email", "phone", "password", "password_confirm")

    def login_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self._LOGIN_FIELDS if name in self.fields]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self._LOGIN_FIELDS]

    def profile_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = services.ENTERPRISE_FIELDS if self.kind == UserKind.ENTERPRISE else services.CITIZEN_FIELDS
        return {name: data.get(name) or "" for name in names}


class RegisterForm(_AccountFieldsForm):
    password = forms.CharField(
        label=_("Mật khẩu"),
        required=False,
        strip=False,
        help_text=_("Ít nhất 10 ký tự; không quá giống thông tin cá nhân, không chỉ gồm chữ số, không phổ biến."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "required": True}),
    )
    password_confirm = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "required": True}),
    )

    field_order = ["email", "phone", "password", "password_confirm"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("Hai mật khẩu không khớp nhau."))
        return data


class AccountEditForm(_AccountFieldsForm):
    """Contact details and profile of the signed-in account. Officials change their name instead."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, kind=kind, **kwargs)
        if kind == UserKind.OFFICIAL:
            for name in list(self.fields):
                if name not in ("email", "phone", "full_name"):
                    del self.fields[name]

    def profile_values(self) -> dict[str, Any]:
        if self.kind == UserKind.OFFICIAL:
            return {}
        return super().profile_values()


class SignInForm(forms.Form):
    # Named `username` and `password` as django-axes expects (it masks `password` in its logs).
    username = forms.CharField(
        label=_("Thư điện tử, số điện thoại hoặc tên đăng nhập"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Thư điện tử của tài khoản"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PasswordChangeThroughServiceForm(_ProblemsMixin, PasswordChangeForm):
    """Django's change-password form whose save goes through `services.password_change`."""

    def save(self, commit: bool = True) -> Any:
        services.password_change(actor=self.user, user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


class SetPasswordThroughServiceForm(_ProblemsMixin, SetPasswordForm):
    """The reset link's new-password form; the link itself proves the owner is acting."""

    def save(self, commit: bool = True) -> Any:
        services.password_change(actor=self.user, user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user
